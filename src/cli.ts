#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { errorBody, exitCodeFor, EXIT_USAGE } from './common/error-map';
import { logLevelsFor, StderrLogger } from './common/stderr-logger';
import { loadConfig } from './config/app-config';
import { CliModule } from './cli.module';

interface CommanderLikeError extends Error {
  code?: string;
  exitCode?: number;
}

const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.version']);

/** Commander already printed its message; only the exit code is ours to set (0 for help, 2 for usage). */
function handleCommanderError(err: CommanderLikeError): boolean {
  if (!err.code?.startsWith('commander.')) return false;
  process.exitCode = HELP_CODES.has(err.code) ? 0 : EXIT_USAGE;
  return true;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    process.stderr.write(`candlekeep: ${errorBody(e).message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const logger = new StderrLogger('candlekeep', { logLevels: logLevelsFor(config.logLevel) });
  try {
    await CommandFactory.run(CliModule, {
      logger,
      cliName: 'candlekeep',
      // Commander reports usage problems (unknown verb or flag, missing argument) and help display as errors.
      errorHandler: (err: CommanderLikeError) => {
        throw err;
      },
      serviceErrorHandler: (err: CommanderLikeError) => {
        if (handleCommanderError(err)) return;
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = exitCodeFor(err);
      },
    });
  } catch (e) {
    const err = e as CommanderLikeError;
    if (handleCommanderError(err)) return;
    process.stderr.write(`candlekeep: ${errorBody(e).message}\n`);
    if (process.env.LOG_LEVEL === 'debug' && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = exitCodeFor(e);
  }
}

void main().then(() => {
  // Flush stdout before leaving: a pending HTTP agent or timer must not keep a finished command alive.
  process.stdout.write('', () => process.exit(process.exitCode ?? 0));
});
