import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { CliModule } from '../cli.module';
import { loadConfig } from '../config/app-config';
import { withConfig } from '../config/config.module';
import { HELP_FILE } from './cli-help';

/**
 * Build step: records the help text of every verb and subcommand into
 * dist/cli-help.json, so that `candlekeep --help` is answered without
 * loading Nest. Boots the CLI with CANDLEKEEP_NO_DATABASE=1 (no connection:
 * help needs none).
 */
async function main(): Promise<void> {
  process.env.CANDLEKEEP_NO_DATABASE = '1';
  const app = await CommandFactory.createWithoutRunning(withConfig(CliModule, loadConfig(process.env)), {
    logger: false,
    cliName: 'candlekeep',
    abortOnError: false,
  });
  try {
    const runner: unknown = app.get(CommandRunnerService);
    const root = (runner as { commander: Command }).commander;
    root.name('candlekeep');
    const texts: Record<string, string> = {};
    const walk = (cmd: Command, path: string[]) => {
      texts[path.join(' ')] = cmd.helpInformation();
      for (const sub of cmd.commands) if (sub.name() !== 'help') walk(sub, [...path, sub.name()]);
    };
    walk(root, []);
    writeFileSync(HELP_FILE, `${JSON.stringify(texts, null, 1)}\n`);
  } finally {
    await app.close();
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`write-help: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
