import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { LogLevelName } from '../config/app-config';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest log levels enabled at a configured LOG_LEVEL (info = Nest's "log"). */
export function logLevelsFor(level: LogLevelName): LogLevel[] {
  const mapped: LogLevel = level === 'info' ? 'log' : level;
  return ORDER.slice(0, ORDER.indexOf(mapped) + 1);
}

/**
 * Nest's console logger, but every line goes to stderr: stdout is reserved for
 * command output (`--json` prints exactly one JSON object there).
 */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

export class StderrLogger extends ConsoleLogger {
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
