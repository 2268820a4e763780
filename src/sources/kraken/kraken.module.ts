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
      useFactory: (c: AppConfig): RateLimitOptions => ({ rps: c.krakenRps, burst: c.krakenBurst }),
    },
    {
      provide: KRAKEN_CLIENT_OPTIONS,
      inject: [AppConfig],
      useFactory: (c: AppConfig): KrakenClientOptions => ({
        baseUrl: c.krakenApiUrl,
        timeoutMs: c.krakenTimeoutMs,
        maxRetries: c.krakenMaxRetries,
        unreachableAfter: c.krakenUnreachableAfter,
        backoffBaseMs: c.krakenBackoffBaseMs,
        backoffMaxMs: c.krakenBackoffMaxMs,
        endpoints: Object.fromEntries(
          KRAKEN_ENDPOINTS.map((e) => [
            e,
            { timeoutMs: c.krakenEndpointTimeoutsMs[e], maxRetries: c.krakenEndpointRetries[e] },
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
