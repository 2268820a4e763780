import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { errorBody, exitCodeFor, EXIT_OK, EXIT_USAGE } from '../common/error-map';
import { logLevelsFor, StderrLogger } from '../common/stderr-logger';
import { loadConfig } from '../config/app-config';
import { CliModule } from '../cli.module';

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
export async function runCandlekeep(args: readonly string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    process.stderr.write(`candlekeep: ${errorBody(e).message}\n`);
    return EXIT_USAGE;
  }
  const previous = process.exitCode;
  process.exitCode = undefined;
  let code: number | undefined;
  try {
    const app = await CommandFactory.createWithoutRunning(CliModule, {
      logger: new StderrLogger('candlekeep', { logLevels: logLevelsFor(config.logLevel) }),
      cliName: 'candlekeep',
      // Commander reports usage problems (unknown verb or flag, missing argument) and help display as errors.
      errorHandler: (err: CommanderLikeError) => {
        throw err;
      },
      serviceErrorHandler: (err: CommanderLikeError) => {
        code = commanderExitCode(err);
        if (code !== undefined) return;
        // A flag's own parser refused its value (before the verb ran): with --json, still one JSON object.
        if (args.includes('--json')) process.stdout.write(`${JSON.stringify({ error: errorBody(err) })}\n`);
        process.stderr.write(`error: ${err.message}\n`);
        code = exitCodeFor(err);
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
      process.stderr.write(`candlekeep: ${errorBody(e).message}\n`);
      if (config.logLevel === 'debug' && err.stack) process.stderr.write(`${err.stack}\n`);
      code = exitCodeFor(e);
    }
  } finally {
    // A verb reports its outcome through process.exitCode (CandlekeepCommand.run).
    code ??= typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
    process.exitCode = previous;
  }
  return code;
}
