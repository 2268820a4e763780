/** Rejected rows by file and reason, as the run's output lists them. */
export interface RejectSummary {
  file: string;
  reason: string;
  count: number;
  first_lines: number[];
  /** The open time of the first such row that had a readable one (ISO-8601). */
  first_time: string | null;
}

/** Counts a reject under its file and reason code, keeping the first three lines and the first readable time. */
export function summarise(
  into: Map<string, RejectSummary>,
  file: string,
  r: { line: number; reason: string; raw: string },
): void {
  const colon = r.reason.indexOf(':');
  const reason = colon > 0 ? r.reason.slice(0, colon) : r.reason;
  const key = `${file}\u0000${reason}`;
  let s = into.get(key);
  if (!s) into.set(key, (s = { file, reason, count: 0, first_lines: [], first_time: null }));
  s.count++;
  if (s.first_lines.length < 3) s.first_lines.push(r.line);
  if (s.first_time === null) {
    const ts = /^(\d{9,11}),/.exec(r.raw)?.[1];
    if (ts) s.first_time = new Date(Number(ts) * 1000).toISOString();
  }
}

/** Adds one file's reject summary to the run's. */
export function mergeSummary(into: Map<string, RejectSummary>, from: ReadonlyMap<string, RejectSummary>): void {
  for (const [key, s] of from) {
    const t = into.get(key);
    if (!t) {
      into.set(key, s);
      continue;
    }
    t.count += s.count;
    t.first_lines.push(...s.first_lines.slice(0, 3 - t.first_lines.length));
    t.first_time ??= s.first_time;
  }
}
