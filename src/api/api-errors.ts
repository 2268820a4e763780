import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse, ResponseObject } from '@nestjs/swagger';
import type { ValidationError } from 'class-validator';
import { CandlekeepError } from '../common/errors';

export class ApiErrorBody {
  @ApiProperty({
    description: 'stable error code, e.g. BAD_REQUEST, TOKEN_INVALID, SERIES_NOT_FOUND',
    example: 'BAD_REQUEST',
  })
  code!: string;

  @ApiProperty({ description: 'what went wrong, for people', example: 'start_time must be an ISO-8601 date-time' })
  message!: string;
}

/** The body of every error answer of the API: `{error: {code, message}}`. */
export class ApiErrorResponse {
  @ApiProperty({ type: ApiErrorBody })
  error!: ApiErrorBody;
}

const DESCRIPTIONS: Readonly<Record<ApiErrorStatus, string>> = {
  400: 'bad input: a parameter or field is malformed, out of range or unknown (the message names them)',
  401: 'no bearer token, or an unknown or revoked one (WWW-Authenticate: Bearer)',
  403: 'the token lacks the scope this route needs',
  404: 'not found (unknown symbol, series, job, ...)',
  409: 'the state does not allow it now (e.g. TASK_LOCKED: the task runs already)',
  429: "too many requests for the token's rate limit (Retry-After: seconds)",
  500: 'internal error',
  502: 'a source failed (Kraken, QuestDB refusing a query)',
  503: 'the state database or the candle store is down',
};

export type ApiErrorStatus = 400 | 401 | 403 | 404 | 409 | 429 | 500 | 502 | 503;

/** The OpenAPI response of an error status, as @ApiErrors states it (for the answers every secured route can give). */
export function apiErrorResponseObject(status: ApiErrorStatus): ResponseObject {
  return {
    description: DESCRIPTIONS[status],
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${ApiErrorResponse.name}` } } },
  };
}

/** The error answers a route can give, documented with the `{error: {code, message}}` body: `@ApiErrors(400, 404)`. */
export const ApiErrors = (...statuses: ApiErrorStatus[]) =>
  applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ApiErrorResponse })),
  );

/** A request the ValidationPipe refused (query, params, body): 400 BAD_REQUEST naming every bad field. */
export class RequestValidationError extends CandlekeepError {
  readonly code = 'BAD_REQUEST';
  readonly kind = 'usage' as const;

  constructor(readonly errors: readonly ValidationError[]) {
    super(validationMessage(errors));
  }
}

/** "start_time must be …; property foo should not exist": every constraint that failed, nested fields by path. */
function validationMessage(errors: readonly ValidationError[]): string {
  const lines: string[] = [];
  const walk = (list: readonly ValidationError[], prefix: string) => {
    for (const e of list) {
      // class-validator's messages start with the property's name: a nested one gets its parents' path before it.
      for (const m of Object.values(e.constraints ?? {})) lines.push(prefix ? `${prefix}.${m}` : m);
      if (e.children?.length) walk(e.children, prefix ? `${prefix}.${e.property}` : e.property);
    }
  };
  walk(errors, '');
  return lines.length ? lines.join('; ') : 'invalid request';
}
