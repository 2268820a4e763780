import { ConsoleLogger, ConsoleLoggerOptions, LogLevel } from '@nestjs/common';

/** The LOG_LEVEL names, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest log levels enabled at a configured LOG_LEVEL (info = Nest's "log"). */
export function logLevelsFor(level: LogLevelName): LogLevel[] {
  const mapped: LogLevel = level === 'info' ? 'log' : level;
  return ORDER.slice(0, ORDER.indexOf(mapped) + 1);
}

const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** Colour only for a person at a terminal: never into a file or pipe, never with NO_COLOR (https://no-color.org). */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '';
}

/**
 * Nest's console logger, but every line goes to stderr (stdout is reserved for
 * command output: `--json` prints exactly one JSON object there), stamped in
 * ISO-8601 UTC like every other time candlekeep prints, coloured only on a TTY.
 */
export class StderrLogger extends ConsoleLogger {
  constructor(context: string, options: Omit<ConsoleLoggerOptions, 'colors'>) {
    super(context, { ...options, colors: colourWanted(process.stderr, process.env) });
  }

  protected override getTimestamp(): string {
    return new Date().toISOString();
  }

  /** Nest's own start-up chatter is debug detail, not information for an operator. */
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) {
      if (this.isLevelEnabled('debug')) super.debug(message, ...rest);
      return;
    }
    super.log(message, ...rest);
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}
