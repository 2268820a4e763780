import { renderTable } from '../common/table';
import { GapStatus } from '../common/enums';
import { CompletenessReport, SeriesReport } from './completeness-report.service';
import { renderCsvRows } from '../common/csv';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(report: CompletenessReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2);
    case 'csv':
      return renderCsv(report);
    case 'html':
      return renderHtml(report);
    case 'table':
      return renderTerminal(report);
  }
}

export function renderTerminal(r: CompletenessReport): string {
  const tiers = renderTable(
    [
      'tier',
      'interval',
      'series',
      'complete',
      'completeness %',
      'open gaps',
      'missing OHLC',
      'missing trades',
      'missing archive',
      'stale',
      'done',
    ],
    r.tiers.flatMap((t) =>
      t.intervals.map((i) => [
        t.tier,
        i.interval,
        i.series,
        i.complete_series,
        i.completeness_pct.toFixed(3),
        i.open_gaps,
        i.missing_intervals_by_fillability.API_OHLC,
        i.missing_intervals_by_fillability.API_TRADES,
        i.missing_intervals_by_fillability.ARCHIVE_ONLY,
        i.stale_series,
        i.complete ? 'yes' : 'no',
      ]),
    ),
  );
  const series = renderTable(
    ['symbol', 'tier', 'interval', 'first', 'last', 'coverage %', 'open gaps', 'behind', 'stale'],
    r.series.map((s) => [
      s.symbol,
      s.tier,
      s.interval,
      s.first,
      s.last,
      s.coverage_pct.toFixed(3),
      s.open_gaps,
      s.intervals_behind,
      s.stale ? 'STALE' : '',
    ]),
  );
  const verdicts = r.tiers.map(
    (t) =>
      `${t.tier}: ${t.complete ? 'complete' : 'INCOMPLETE'} ` +
      `(${t.complete_series}/${t.series} series, ${t.completeness_pct.toFixed(3)}%)`,
  );
  return [`completeness report at ${r.generated_at}`, '', tiers, '', series, '', ...verdicts].join('\n');
}

export function renderCsv(r: CompletenessReport): string {
  const head = [
    'symbol',
    'tier',
    'interval',
    'first',
    'last',
    'coverage_pct',
    'open_gaps',
    'missing_intervals',
    'intervals_behind',
    'stale',
    'complete',
  ];
  return renderCsvRows(
    head,
    r.series.map((s) => [
      s.symbol,
      s.tier,
      s.interval,
      s.first,
      s.last,
      s.coverage_pct,
      s.open_gaps,
      s.missing_intervals,
      s.intervals_behind,
      s.stale,
      s.complete,
    ]),
  );
}

export const GAP_COLORS: Record<GapStatus, string> = {
  DETECTED: '#d62728',
  SUSPECT: '#9467bd',
  FILLING: '#1f77b4',
  PARTIAL: '#ff7f0e',
  FAILED: '#8b0000',
  UNFILLABLE: '#7f7f7f',
  FILLED: '#17becf',
  VERIFIED_EMPTY: '#98df8a',
  IGNORED: '#c7c7c7',
  MERGED: '#e8e8e8',
};
export const COVERED_COLOR = '#4c9a2a';
export const UNCOVERED_COLOR = '#eeeeee';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const WIDTH = 900;
const BAR = 18;
/** Room under the bar for the time axis (ticks and their labels). */
const AXIS = 16;

type TickUnit = 'year' | 'month' | 'day' | 'hour';
const TICK_STEPS: ReadonlyArray<[TickUnit, number]> = [
  ['hour', 1],
  ['hour', 6],
  ['hour', 12],
  ['day', 1],
  ['day', 7],
  ['day', 14],
  ['month', 1],
  ['month', 3],
  ['month', 6],
  ['year', 1],
  ['year', 2],
  ['year', 5],
  ['year', 10],
  ['year', 25],
  ['year', 50],
];
const APPROX_SECONDS: Record<TickUnit, number> = {
  hour: 3600,
  day: 86_400,
  month: 30.44 * 86_400,
  year: 365.25 * 86_400,
};
const MAX_TICKS = 8;

/** Calendar-aligned tick times (epoch seconds, UTC) inside [from, to], at most MAX_TICKS of them, with their labels. */
export function axisTicks(from: number, to: number): Array<{ t: number; label: string }> {
  const [unit, n] =
    TICK_STEPS.find(([u, k]) => (to - from) / (APPROX_SECONDS[u] * k) <= MAX_TICKS) ??
    TICK_STEPS[TICK_STEPS.length - 1]!;
  const d = new Date(from * 1000);
  // The first boundary of the unit at or after `from`, on a multiple of n.
  const start =
    unit === 'year'
      ? Date.UTC(
          Math.ceil((d.getUTCFullYear() + (d.getTime() > Date.UTC(d.getUTCFullYear(), 0, 1) ? 1 : 0)) / n) * n,
          0,
          1,
        )
      : unit === 'month'
        ? Date.UTC(
            d.getUTCFullYear(),
            Math.ceil(
              (d.getUTCMonth() + (d.getTime() > Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) ? 1 : 0)) / n,
            ) * n,
            1,
          )
        : Math.ceil(d.getTime() / (APPROX_SECONDS[unit] * 1000 * (unit === 'day' ? 1 : n))) *
          APPROX_SECONDS[unit] *
          1000 *
          (unit === 'day' ? 1 : n);
  const out: Array<{ t: number; label: string }> = [];
  for (let ms = start; ms <= to * 1000 && out.length <= MAX_TICKS;) {
    const iso = new Date(ms).toISOString();
    out.push({
      t: ms / 1000,
      label:
        unit === 'year'
          ? iso.slice(0, 4)
          : unit === 'month'
            ? iso.slice(0, 7)
            : unit === 'day'
              ? iso.slice(0, 10)
              : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`,
    });
    const next = new Date(ms);
    if (unit === 'year') next.setUTCFullYear(next.getUTCFullYear() + n);
    else if (unit === 'month') next.setUTCMonth(next.getUTCMonth() + n);
    else if (unit === 'day') next.setUTCDate(next.getUTCDate() + n);
    else next.setUTCHours(next.getUTCHours() + n);
    ms = next.getTime();
  }
  return out;
}

/** One series' coverage timeline: covered spans and gap records drawn to scale over its window. */
function timelineSvg(s: SeriesReport): string {
  const from = Date.parse(s.window_start ?? s.window_end) / 1000;
  const to = Date.parse(s.window_end) / 1000 + s.interval * 60;
  const span = Math.max(to - from, 1);
  const x = (t: number) => Math.max(0, Math.min(WIDTH, ((t - from) / span) * WIDTH));
  const rect = (a: string, b: string, color: string, cls: string, title: string) => {
    const x0 = x(Date.parse(a) / 1000);
    const x1 = x(Date.parse(b) / 1000 + s.interval * 60);
    if (x1 <= 0 || x0 >= WIDTH) return '';
    return (
      `<rect class="${cls}" x="${x0.toFixed(2)}" y="0" width="${Math.max(x1 - x0, 1).toFixed(2)}" ` +
      `height="${BAR}" fill="${color}"><title>${esc(title)}</title></rect>`
    );
  };
  const covered = (s.timeline?.covered ?? []).map((c) =>
    rect(c.from, c.to, COVERED_COLOR, 'covered', `covered ${c.from} .. ${c.to}`),
  );
  const gaps = (s.timeline?.gaps ?? []).map((g) =>
    rect(
      g.from,
      g.to,
      GAP_COLORS[g.status],
      `gap gap-${g.status}`,
      `gap ${g.status} (${g.fillability}) ${g.from} .. ${g.to}`,
    ),
  );
  const ticks = axisTicks(from, to).map(({ t, label }) => {
    const tx = x(t);
    const anchor = tx < 30 ? 'start' : tx > WIDTH - 30 ? 'end' : 'middle';
    return (
      `<line x1="${tx.toFixed(2)}" x2="${tx.toFixed(2)}" y1="${BAR}" y2="${BAR + 4}" stroke="#666"/>` +
      `<text x="${tx.toFixed(2)}" y="${BAR + 14}" text-anchor="${anchor}">${esc(label)}</text>`
    );
  });
  const height = BAR + AXIS;
  return (
    `<svg class="timeline" data-symbol="${esc(s.symbol)}" data-interval="${s.interval}" ` +
    `width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<rect class="window" x="0" y="0" width="${WIDTH}" height="${BAR}" fill="${UNCOVERED_COLOR}"/>` +
    `${covered.join('')}${gaps.join('')}` +
    `<g class="axis" font-size="10" fill="#555">${ticks.join('')}</g></svg>`
  );
}

/** A self-contained HTML page (inline CSS and SVG, no external resources). */
export function renderHtml(r: CompletenessReport): string {
  const legend = [
    ['covered', COVERED_COLOR],
    ['not covered', UNCOVERED_COLOR],
    ...Object.entries(GAP_COLORS).map(([k, v]) => [`gap ${k}`, v]),
  ]
    .map(([label, color]) => `<span class="key"><i style="background:${color}"></i>${esc(label!)}</span>`)
    .join(' ');
  const tierRows = r.tiers
    .flatMap((t) =>
      t.intervals.map(
        (i) =>
          `<tr><td>${t.tier}</td><td>${i.interval}</td><td>${i.series}</td><td>${i.complete_series}</td>` +
          `<td>${i.completeness_pct.toFixed(3)}%</td><td>${i.open_gaps}</td>` +
          `<td>${i.missing_intervals_by_fillability.API_OHLC}</td>` +
          `<td>${i.missing_intervals_by_fillability.API_TRADES}</td>` +
          `<td>${i.missing_intervals_by_fillability.ARCHIVE_ONLY}</td><td>${i.stale_series}</td>` +
          `<td class="${i.complete ? 'ok' : 'bad'}">${i.complete ? 'complete' : 'incomplete'}</td></tr>`,
      ),
    )
    .join('\n');
  const seriesRows = r.series
    .map(
      (s) =>
        `<tr class="series" data-symbol="${esc(s.symbol)}" data-interval="${s.interval}">` +
        `<td>${esc(s.symbol)}</td><td>${s.interval}</td><td>${s.first ?? '-'}</td><td>${s.last ?? '-'}</td>` +
        `<td>${s.coverage_pct.toFixed(3)}%</td><td>${s.open_gaps}</td>` +
        `<td>${s.intervals_behind}${s.stale ? ' <b class="bad">stale</b>' : ''}</td></tr>\n` +
        `<tr><td colspan="7">${timelineSvg(s)}` +
        `<div class="window-range"><span>${s.window_start ?? ''}</span><span>${s.window_end}</span></div></td></tr>`,
    )
    .join('\n');
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>candlekeep completeness ${esc(r.generated_at)}</title>`,
    '<style>',
    'body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin-bottom:24px}',
    'td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}th{background:#f4f4f4}',
    '.ok{color:#2a7d2a;font-weight:600}.bad{color:#c0392b;font-weight:600}.key{margin-right:12px;white-space:nowrap}',
    '.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle;border:1px solid #999}',
    `.window-range{display:flex;justify-content:space-between;width:${WIDTH}px;font-size:11px;color:#666}` +
      'svg.timeline{display:block;overflow:visible}',
    '</style></head><body>',
    '<h1>candlekeep completeness</h1>',
    `<p>Generated ${esc(r.generated_at)}${r.since ? `, since ${esc(r.since)}` : ''}. ` +
      `${r.summary.complete_series}/${r.summary.series} series complete ` +
      `(${r.summary.completeness_pct.toFixed(3)}%), ${r.summary.open_gaps} open gaps, ` +
      `${r.summary.stale_series} stale (&gt; ${r.stale_hours} h behind).</p>`,
    '<table id="tiers"><tr><th>tier</th><th>interval</th><th>series</th><th>complete</th><th>completeness</th>' +
      '<th>open gaps</th><th>missing (OHLC)</th><th>missing (trades)</th><th>missing (archive)</th><th>stale</th>' +
      '<th></th></tr>',
    tierRows,
    '</table>',
    `<p class="legend">${legend}</p>`,
    '<table id="series"><tr><th>symbol</th><th>interval</th><th>first</th><th>last</th><th>coverage</th>' +
      '<th>open gaps</th><th>intervals behind</th></tr>',
    seriesRows,
    '</table>',
    '</body></html>',
    '',
  ].join('\n');
}
