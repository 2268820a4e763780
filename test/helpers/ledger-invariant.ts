import { Client } from 'pg';

interface Span {
  from: number;
  to: number;
}

/** What the ledger invariant check found wrong, one line per problem (empty when it holds). */
export async function ledgerProblems(pg: Client, nowSeconds: number): Promise<string[]> {
  const series = (
    await pg.query<{ a: number; i: number; f: string; symbol: string }>(
      `SELECT s.asset_id AS a, s.interval_minutes AS i, extract(epoch FROM s.expected_from)::bigint AS f, a.symbol
         FROM series s JOIN assets a ON a.id = s.asset_id ORDER BY 1, 2`,
    )
  ).rows;
  const coverage = (
    await pg.query<{ a: number; i: number; s: string; e: string }>(
      `SELECT asset_id AS a, interval_minutes AS i, extract(epoch FROM start_ts)::bigint AS s, ` +
        `extract(epoch FROM end_ts)::bigint AS e FROM data_coverage_ranges`,
    )
  ).rows;
  const records = (
    await pg.query<{ id: number; a: number; i: number; s: string; e: string; status: string; m: string }>(
      `SELECT id, asset_id AS a, interval_minutes AS i, extract(epoch FROM start_ts)::bigint AS s, ` +
        `extract(epoch FROM end_ts)::bigint AS e,
              status, missing_intervals AS m
         FROM gap_records WHERE kind = 'gap' AND status NOT IN ('FILLED', 'VERIFIED_EMPTY', 'MERGED')`,
    )
  ).rows;
  const problems: string[] = [];
  for (const s of series) {
    const step = s.i * 60;
    const name = `${s.symbol} ${s.i}m`;
    const lastClosed = Math.floor(nowSeconds / step) * step - step;
    const covered = coverage
      .filter((c) => c.a === s.a && c.i === s.i)
      .map((c) => ({ from: Number(c.s), to: Number(c.e) }));
    const start = Math.min(Number(s.f), ...covered.map((c) => c.from));
    // Brute force, slot by slot: every uncovered slot of the window in exactly one ledger record,
    // and no record elsewhere.
    const mine = records
      .filter((r) => r.a === s.a && r.i === s.i)
      .map((r) => ({ ...r, from: Number(r.s), to: Number(r.e) }));
    for (const r of mine) {
      if (Number(r.m) !== (r.to - r.from) / step + 1)
        problems.push(`${name}: gap ${r.id} says ${r.m} missing for ${slotsText(r, step)}`);
    }
    const inCoverage = (ts: number) => covered.some((c) => c.from <= ts && ts <= c.to);
    for (let ts = start; ts <= lastClosed; ts += step) {
      const holders = mine.filter((r) => r.from <= ts && ts <= r.to);
      const uncovered = !inCoverage(ts);
      if (uncovered && holders.length !== 1) {
        problems.push(
          `${name}: uncovered ${iso(ts)} is in ${holders.length} ledger records ` +
            `(${holders.map((h) => h.id).join(', ')})`,
        );
      }
      if (!uncovered && holders.length)
        problems.push(`${name}: covered ${iso(ts)} is still in gap ${holders.map((h) => h.id).join(', ')}`);
      if (problems.length > 20) return problems;
    }
    for (const r of mine) {
      if (r.from < start || r.to > lastClosed)
        problems.push(
          `${name}: gap ${r.id} ${slotsText(r, step)} lies outside the window ${iso(start)}..${iso(lastClosed)}`,
        );
    }
  }
  const expected = new Set(series.map((s) => `${s.a}:${s.i}`));
  for (const r of records)
    if (!expected.has(`${r.a}:${r.i}`)) problems.push(`gap ${r.id} belongs to a series nobody expects`);
  return problems;
}

const iso = (s: number) => new Date(s * 1000).toISOString();
const slotsText = (r: Span, step: number) => `${iso(r.from)}..${iso(r.to)} (${(r.to - r.from) / step + 1} slots)`;
