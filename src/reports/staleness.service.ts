import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CandlekeepError } from '../common/errors';
import { CompletenessReportService } from './completeness-report.service';

export class AlertDeliveryError extends CandlekeepError {
  readonly code = 'ALERT_DELIVERY';
  readonly kind = 'upstream' as const;
}

export interface StaleSeries {
  symbol: string;
  interval: number;
  last: string | null;
  hours_behind: number | null;
}

export interface ValidationResult {
  hours: number;
  checked: number;
  stale: StaleSeries[];
  alerted: boolean;
  /** Why the alert could not be delivered (the stale series are still listed and logged). */
  alert_error?: string;
}

/**
 * Staleness: a series is stale when its last covered candle is more than N
 * hours behind the last closed candle (or it holds nothing). Stale series are
 * logged as a warning and, when ALERT_WEBHOOK_URL is set, posted as JSON with
 * a Slack-compatible `text`.
 */
@Injectable()
export class StalenessService {
  private readonly logger = new Logger(StalenessService.name);

  constructor(
    private readonly reports: CompletenessReportService,
    private readonly config: AppConfig,
  ) {}

  /** `logStale: false` when the caller prints the list itself (the `validate` command): said once, not twice. */
  async validate(
    hours = this.config.reports.staleHours,
    { logStale = true, symbols }: { logStale?: boolean; symbols?: readonly string[] } = {},
  ): Promise<ValidationResult> {
    const report = await this.reports.build({ staleHours: hours, symbols });
    const stale: StaleSeries[] = report.series
      .filter((s) => s.stale)
      .map((s) => ({
        symbol: s.symbol,
        interval: s.interval,
        last: s.last,
        hours_behind:
          s.last === null ? null : Math.round(((Date.parse(s.window_end) - Date.parse(s.last)) / 3_600_000) * 10) / 10,
      }));
    let alerted = false;
    let alertError: string | undefined;
    if (stale.length) {
      const text = `candlekeep: ${stale.length} stale series (more than ${hours} h behind): ${stale
        .slice(0, 20)
        .map((s) => `${s.symbol} ${s.interval}m (${s.last === null ? 'no data' : `${s.hours_behind} h`})`)
        .join(', ')}${stale.length > 20 ? ', …' : ''}`;
      if (logStale) this.logger.warn(text);
      if (this.config.reports.alertWebhookUrl) {
        try {
          await this.post(this.config.reports.alertWebhookUrl, { text, stale, hours });
          alerted = true;
        } catch (e) {
          // An unreachable webhook must not hide the stale series: they are still returned (and exit 1).
          alertError = e instanceof Error ? e.message : String(e);
          this.logger.error(alertError);
        }
      }
    }
    return { hours, checked: report.series.length, stale, alerted, ...(alertError ? { alert_error: alertError } : {}) };
  }

  private async post(url: string, body: object): Promise<void> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      throw new AlertDeliveryError(`alert webhook ${url} unreachable: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok) throw new AlertDeliveryError(`alert webhook ${url} answered HTTP ${res.status}`);
  }
}
