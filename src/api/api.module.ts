import { INestApplication, Module, RequestMethod, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, ThrottlerModuleOptions } from '@nestjs/throttler';
import helmet from 'helmet';
import { CandlesModule } from '../candles/candles.module';
import { AppConfig } from '../config/app-config';
import { TokensModule } from '../tokens/tokens.module';
import { ApiExceptionFilter } from './api-exception.filter';
import { API_PREFIX } from './api-prefix';
import { RequestValidationError } from './api-errors';
import { ApiRequest, AuthGuard } from './auth.guard';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { JobsApiModule } from './jobs-api.module';
import { StateApiModule } from './state-api.module';
import { TimeseriesApiModule } from './timeseries-api.module';
import { TokensController } from './tokens.controller';

/**
 * The HTTP conventions of the service, applied by main.ts (and by the OpenAPI document's generation, which must see
 * the same paths): helmet's headers and the /api/v1 prefix, GET /health staying where it is.
 */
export function configureHttp(app: INestApplication): void {
  // The service speaks plain HTTP (TLS, if any, ends in front of it): asking browsers to upgrade the docs page's
  // requests to https would break it.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'health', method: RequestMethod.GET }] });
}

/**
 * API_RATE_LIMIT requests per API_RATE_WINDOW_SECONDS, counted per token over all routes (AuthGuard runs first and
 * names the token), per client address where no token is (public routes, API_AUTH=off). Beyond: 429, Retry-After.
 */
function throttlerOptions(config: AppConfig): ThrottlerModuleOptions {
  const { rateLimit, rateWindowSeconds } = config.server;
  return {
    throttlers: [{ limit: rateLimit, ttl: rateWindowSeconds * 1000 }],
    getTracker: (req) => {
      const { principal, ip } = req as ApiRequest;
      return principal ? `token:${principal.id}` : `ip:${ip ?? 'unknown'}`;
    },
    generateKey: (_context, tracker, throttler) => `${throttler}:${tracker}`,
    errorMessage: (_context, limit) =>
      `rate limit of ${limit.limit} requests per ${rateWindowSeconds} s reached: retry in ${limit.timeToBlockExpire} s`,
  };
}

/**
 * The HTTP API's infrastructure and its own routes (GET /health, GET /api/v1/tokens): the global guards (AuthGuard,
 * then the throttler), the one exception filter and the ValidationPipe, which apply to every controller of the
 * service whichever module declares it.
 */
@Module({
  imports: [
    CandlesModule,
    TokensModule,
    TimeseriesApiModule,
    StateApiModule,
    JobsApiModule,
    ThrottlerModule.forRootAsync({ inject: [AppConfig], useFactory: throttlerOptions }),
  ],
  controllers: [HealthController, TokensController],
  providers: [
    HealthService,
    // Guards run in this order: the throttler counts per token, which AuthGuard has verified.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        exceptionFactory: (errors) => new RequestValidationError(errors),
      }),
    },
  ],
})
export class ApiModule {}
