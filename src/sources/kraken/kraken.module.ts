import { Module } from '@nestjs/common';
import { AppConfig, KRAKEN_ENDPOINTS } from '../../config/app-config';
import { EXCHANGE_CAPABILITIES } from '../exchange-capabilities';
import { KRAKEN_CAPABILITIES } from './kraken-capabilities';
import { KRAKEN_CLIENT_OPTIONS, KrakenClient, KrakenClientOptions } from './kraken.client';
import { KRAKEN_RATE_LIMIT, KRAKEN_TIMER, RateLimiter, RateLimitOptions, realTimer } from './rate-limiter';

/**
 * The Kraken REST client, configured from KRAKEN_* variables; one rate limiter per process. Kraken's
 * ExchangeCapabilities as EXCHANGE_CAPABILITIES: the exchange the rest of candlekeep reads.
 */
@Module({
  providers: [
    { provide: EXCHANGE_CAPABILITIES, useValue: KRAKEN_CAPABILITIES },
    { provide: KRAKEN_TIMER, useValue: realTimer },
    {
      provide: KRAKEN_RATE_LIMIT,
      inject: [AppConfig],
      useFactory: (c: AppConfig): RateLimitOptions => ({ rps: c.kraken.rps, burst: c.kraken.burst }),
    },
    {
      provide: KRAKEN_CLIENT_OPTIONS,
      inject: [AppConfig],
      useFactory: (c: AppConfig): KrakenClientOptions => ({
        baseUrl: c.kraken.apiUrl,
        timeoutMs: c.kraken.timeoutMs,
        maxRetries: c.kraken.maxRetries,
        unreachableAfter: c.kraken.unreachableAfter,
        backoffBaseMs: c.kraken.backoffBaseMs,
        backoffMaxMs: c.kraken.backoffMaxMs,
        endpoints: Object.fromEntries(
          KRAKEN_ENDPOINTS.map((e) => [
            e,
            { timeoutMs: c.kraken.endpointTimeoutsMs[e], maxRetries: c.kraken.endpointRetries[e] },
          ]),
        ),
      }),
    },
    RateLimiter,
    KrakenClient,
  ],
  exports: [KrakenClient, EXCHANGE_CAPABILITIES],
})
export class KrakenModule {}
