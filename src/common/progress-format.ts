/** Formatting shared by the progress renderings (ingest, backfill). */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** Seconds as 42s, 3m20s, 5h07m or 3d04h; '?' when unknown. */
export function formatDuration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  const t = Math.max(0, Math.round(s));
  if (t >= 86_400) return `${Math.floor(t / 86_400)}d${String(Math.floor((t % 86_400) / 3600)).padStart(2, '0')}h`;
  if (t >= 3600) return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
  if (t >= 60) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${t}s`;
}
