import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { EXIT_OK, EXIT_USAGE } from '../common/error-map';
import { logLevelsFor, StderrLogger } from '../common/stderr-logger';
import { AppConfig } from '../config/app-config';
import { withConfig } from '../config/config.module';
import { preflight, reportError } from '../preflight';
import { cliRootModule } from './verb-modules';

interface CommanderLikeError extends Error {
  code?: string;
  exitCode?: number;
}

const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.version']);

/** Commander already printed its message; only the exit code is ours to set (0 for help, 2 for usage). */
function commanderExitCode(err: CommanderLikeError): number | undefined {
  if (!err.code?.startsWith('commander.')) return undefined;
  return HELP_CODES.has(err.code) ? EXIT_OK : EXIT_USAGE;
}

/**
 * Runs one `candlekeep <verb> ...args` with the configuration of process.env
 * and resolves to its exit code; output goes to process.stdout/stderr. The
 * executable (src/cli.ts) calls it once and exits; tests call it in-process
 * for what does not need a fresh process (usage, help, exit codes).
 */
export async function runCandlekeep(args: readonly string[], opts: { config?: AppConfig } = {}): Promise<number> {
  const config = opts.config ?? (await preflight(args));
  if (typeof config === 'number') return config;
  const previous = process.exitCode;
  process.exitCode = undefined;
  let code: number | undefined;
  try {
    const app = await CommandFactory.createWithoutRunning(withConfig(cliRootModule(args), config), {
      logger: new StderrLogger('candlekeep', { logLevels: logLevelsFor(config.logLevel) }),
      cliName: 'candlekeep',
      // A provider failing at start-up rejects here (one line below) instead of Nest logging it and exiting.
      abortOnError: false,
      // Commander reports usage problems (unknown verb or flag, missing argument) and help display as errors.
      errorHandler: (err: CommanderLikeError) => {
        throw err;
      },
      serviceErrorHandler: (err: CommanderLikeError) => {
        code = commanderExitCode(err);
        if (code !== undefined) return;
        // A flag's own parser refused its value (before the verb ran): with --json, still one JSON object.
        code = reportError(args, err);
      },
    });
    try {
      await app.get(CommandRunnerService).run(['node', 'candlekeep', ...args]);
    } finally {
      await app.close();
    }
  } catch (e) {
    const err = e as CommanderLikeError;
    code = commanderExitCode(err);
    if (code === undefined) {
      code = reportError(args, e);
      if (config.logLevel === 'debug' && err.stack) process.stderr.write(`${err.stack}\n`);
    }
  } finally {
    // A verb reports its outcome through process.exitCode (CandlekeepCommand.run).
    code ??= typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
    process.exitCode = previous;
  }
  return code;
}
