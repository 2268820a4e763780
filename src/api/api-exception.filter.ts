import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorBody, httpStatusFor } from '../common/error-map';
import { CandlekeepError } from '../common/errors';
import { asConnectionLost } from '../database/database.errors';

/** Codes of Nest's own HTTP exceptions (unknown route, malformed JSON body, throttler), by status. */
const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'THROTTLED',
};

export interface ApiErrorAnswer {
  status: number;
  body: { code: string; message: string };
}

function httpExceptionMessage(e: HttpException): string {
  const response = e.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response ? response.message : e.message;
  return Array.isArray(message) ? message.join('; ') : String(message);
}

/**
 * The status and `{code, message}` of an error: a CandlekeepError by its kind (error-map.ts), a lost database
 * connection as 503, Nest's HTTP exceptions with their status, anything else 500 without its message (logged).
 */
export function apiErrorOf(exception: unknown): ApiErrorAnswer {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, body: { code: HTTP_CODES[status] ?? `HTTP_${status}`, message: httpExceptionMessage(exception) } };
  }
  const error = asConnectionLost(exception);
  if (error instanceof CandlekeepError) return { status: httpStatusFor(error), body: errorBody(error) };
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error (logged by the server)' } };
}

/**
 * The one exception filter of the HTTP API: every error becomes its status and `{error: {code, message}}`.
 * 5xx answers are logged as errors (with the stack); 4xx are the client's business (debug only).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const { status, body } = apiErrorOf(exception);
    const line = `${req.method} ${req.originalUrl} → ${status} ${body.code}`;
    if (status >= 500) {
      const cause = exception instanceof Error ? exception : undefined;
      this.logger.error(`${line}: ${cause?.message ?? String(exception)}`, cause?.stack);
    } else this.logger.debug(`${line}: ${body.message}`);
    if (res.headersSent) res.end();
    else res.status(status).json({ error: body });
  }
}
