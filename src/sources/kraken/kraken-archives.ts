import { Span } from '../../common/series';
import { ArchiveNames } from '../exchange-capabilities';

/** An OHLCVT member: `PAIR_INTERVAL.csv`, PAIR being Kraken's altname (XBTUSD_60.csv). */
const MEMBER_RE = /^([A-Za-z0-9.]+)_(\d+)\.csv$/i;

/** A hint naming more quarterly archives than this points at the full-history one instead. */
const MAX_QUARTERLY_ARCHIVES = 4;

const FULL_ARCHIVE = 'Kraken_OHLCVT.zip';

/** The quarterly archive of all pairs, e.g. Kraken_OHLCVT_Q1_2024.zip (quarter 1-4). */
function quarterly(year: number, quarter: number): string {
  return `Kraken_OHLCVT_Q${quarter}_${year}.zip`;
}

/**
 * Kraken's downloadable OHLCVT archives: the full history (Kraken_OHLCVT.zip)
 * and one ZIP per calendar quarter, each holding `PAIR_INTERVAL.csv` members.
 */
export const KRAKEN_ARCHIVES: ArchiveNames = {
  parseMember(fileName) {
    const m = MEMBER_RE.exec(fileName);
    return m ? { pair: m[1]!, intervalMinutes: Number(m[2]) } : null; // both groups always match
  },
  /**
   * The member (`PAIR_INTERVAL.csv`) and the quarterly archive(s) covering the span's dates; a span over more
   * than four quarters points at the full archive instead.
   */
  hint(pair: string, intervalMinutes: number, gap: Span): string {
    const member = `${pair}_${intervalMinutes}.csv`;
    const quarters: string[] = [];
    const start = new Date(gap.from * 1000);
    let y = start.getUTCFullYear();
    let q = Math.floor(start.getUTCMonth() / 3);
    const end = new Date(gap.to * 1000);
    const endKey = end.getUTCFullYear() * 4 + Math.floor(end.getUTCMonth() / 3);
    while (y * 4 + q <= endKey) {
      quarters.push(quarterly(y, q + 1));
      if (++q === 4) {
        q = 0;
        y++;
      }
    }
    if (quarters.length > MAX_QUARTERLY_ARCHIVES)
      return `${member} in ${FULL_ARCHIVE} (full history; spans ${quarters.length} quarters from ${quarters[0]})`;
    return `${member} in ${quarters.join(', ')}`;
  },
};
