import { Inject, Logger } from '@nestjs/common';
import { Command as Commander } from 'commander';
import { CommandRunner, Option } from 'nest-commander';
import { errorBody, exitCodeFor, EXIT_OK } from '../common/error-map';
import { UsageError } from '../common/errors';
import { asConnectionLost } from '../database/database.errors';
import { MigrationService } from '../maintenance/migration.service';

export interface CommandOutcome {
  /** 0 success, 1 ran but something failed or is incomplete, 2 bad usage/configuration. */
  exitCode: number;
  /** The `--json` object. */
  result: object;
  /** Human-readable rendering for a terminal; defaults to the JSON pretty-printed. */
  text?: string;
  /** The command already wrote its output to stdout (a streamed export): print nothing more. */
  streamed?: boolean;
}

export interface JsonOption {
  json?: boolean;
}

/**
 * Base of every `candlekeep <verb>`: parses `--json`, delegates to execute(),
 * prints one JSON object on stdout (or text), and maps errors to exit codes
 * through error-map.ts. Commands only parse and delegate.
 */
export abstract class CandlekeepCommand<TOptions extends JsonOption = JsonOption> extends CommandRunner {
  protected readonly cliLogger = new Logger('cli');

  /** Verbs that read or write state refuse to run on a schema with pending migrations (migrate itself does not). */
  protected readonly requiresSchema: boolean = true;

  @Inject(MigrationService)
  private readonly schemaMigrations!: MigrationService;

  /** nest-commander builds verbs without the root's exit override: make usage errors throw (exit 2), not exit(1). */
  override setCommand(command: Commander): this {
    command.exitOverride();
    return super.setCommand(command);
  }

  protected abstract execute(params: string[], options: TOptions): Promise<CommandOutcome>;

  async run(params: string[], options?: TOptions): Promise<void> {
    const opts = (options ?? {}) as TOptions;
    try {
      if (this.requiresSchema && (await this.schemaMigrations.pending())) {
        throw new UsageError('the database schema is not up to date: run `candlekeep migrate` first');
      }
      const outcome = await this.execute(params, opts);
      if (!outcome.streamed) this.print(opts, outcome.result, outcome.text);
      process.exitCode = outcome.exitCode;
    } catch (raised) {
      const error = asConnectionLost(raised);
      const code = exitCodeFor(error);
      const body = errorBody(error);
      // One line; the stack only at LOG_LEVEL=debug (a handled failure is not a crash).
      if (code !== 2) this.cliLogger.error(body.message);
      if (error instanceof Error && error.stack) this.cliLogger.debug(error.stack);
      if (opts.json) process.stdout.write(`${JSON.stringify({ error: body })}\n`);
      else process.stderr.write(`error: ${body.message}\n`);
      process.exitCode = code;
    }
  }

  private print(opts: TOptions, result: object, text?: string): void {
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${text ?? JSON.stringify(result, null, 2)}\n`);
  }

  @Option({ flags: '--json', description: 'print one JSON object on stdout (logs go to stderr)' })
  parseJson(): boolean {
    return true;
  }

  protected ok(result: object, text?: string): CommandOutcome {
    return { exitCode: EXIT_OK, result, text };
  }
}
