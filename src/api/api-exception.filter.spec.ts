import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { IsInt, Max, validate } from 'class-validator';
import { CandlekeepError, ErrorKind } from '../common/errors';
import { RequestValidationError } from './api-errors';
import { apiErrorOf } from './api-exception.filter';

class KindError extends CandlekeepError {
  readonly code = 'SOME_CODE';
  constructor(readonly kind: ErrorKind) {
    super(`an error of kind ${kind}`);
  }
}

class Query {
  @IsInt() @Max(5000) limit!: number;
}

describe('apiErrorOf (the exception filter’s answer)', () => {
  it.each([
    ['usage', 400],
    ['unauthenticated', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['throttled', 429],
    ['internal', 500],
    ['upstream', 502],
    ['unavailable', 503],
  ] as const)('answers a CandlekeepError of kind %s with %i and its code and message', (kind, status) => {
    expect(apiErrorOf(new KindError(kind))).toEqual({
      status,
      body: { code: 'SOME_CODE', message: `an error of kind ${kind}` },
    });
  });

  it("answers Nest's HTTP exceptions with their status: unknown route 404, bad JSON 400, throttled 429", () => {
    expect(apiErrorOf(new NotFoundException('Cannot GET /x'))).toEqual({
      status: 404,
      body: { code: 'NOT_FOUND', message: 'Cannot GET /x' },
    });
    expect(apiErrorOf(new BadRequestException(['a is bad', 'b is bad'])).body).toEqual({
      code: 'BAD_REQUEST',
      message: 'a is bad; b is bad',
    });
    expect(apiErrorOf(new ThrottlerException('slow down'))).toEqual({
      status: 429,
      body: { code: 'THROTTLED', message: 'slow down' },
    });
  });

  it('answers a lost database connection 503 and any other error 500 without its message', () => {
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    expect(apiErrorOf(lost)).toMatchObject({ status: 503, body: { code: 'DATABASE_CONNECTION_LOST' } });
    expect(apiErrorOf(new TypeError('x is undefined'))).toEqual({
      status: 500,
      body: { code: 'INTERNAL', message: 'internal error (logged by the server)' },
    });
  });

  it('answers a refused request 400 BAD_REQUEST naming every bad and unknown field', async () => {
    const errors = await validate(Object.assign(new Query(), { limit: 9000, extra: 1 }), {
      whitelist: true,
      forbidNonWhitelisted: true,
    });
    expect(apiErrorOf(new RequestValidationError(errors))).toEqual({
      status: 400,
      body: { code: 'BAD_REQUEST', message: 'property extra should not exist; limit must not be greater than 5000' },
    });
  });
});
