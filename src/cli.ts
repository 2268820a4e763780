#!/usr/bin/env node
/**
 * `candlekeep <verb>`. Answers what needs no application before loading one:
 * `--version`, `--help` (from the help text the build recorded,
 * dist/cli-help.json), a configuration error and a DATABASE_URL that does
 * not answer are printed in well under a second; only then are Nest and the
 * verb's modules loaded (src/cli/run-candlekeep.ts).
 */
import { cachedHelp, packageVersion } from './cli/cli-help';
import { deferInquirer } from './cli/defer-inquirer';

async function main(args: string[]): Promise<number> {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const help = cachedHelp(args);
  if (help !== undefined) {
    process.stdout.write(help);
    return 0;
  }
  // Loaded only now: answering --help or --version needs none of it.
  await import('reflect-metadata');
  const { preflight } = await import('./preflight.js');
  const config = await preflight(args);
  if (typeof config === 'number') return config;
  deferInquirer();
  const { runCandlekeep } = await import('./cli/run-candlekeep.js');
  return runCandlekeep(args, { config });
}

void main(process.argv.slice(2)).then((code) => {
  // Flush stdout before leaving: a pending HTTP agent or timer must not keep a finished command alive.
  process.stdout.write('', () => process.exit(code));
});
