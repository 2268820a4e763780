import { ASSETPRICE_COLUMNS, createAssetpriceSql } from './assetprice';
import { schemaProblems } from './questdb-candle-store';

const CREATE_ASSETPRICE = createAssetpriceSql('assetprice');

type Row = { column: string; type: string; designated: boolean; upsertKey: boolean };

/** table_columns('assetprice') as QuestDB reports it for the table CREATE_ASSETPRICE makes. */
function expectedRows(): Row[] {
  return Object.entries(ASSETPRICE_COLUMNS).map(([column, type]) => ({
    column,
    type,
    designated: column === 'ts',
    upsertKey: ['ts', 'asset', 'interval_minutes'].includes(column),
  }));
}

describe('assetprice schema', () => {
  it(
    'creates the table with a designated ts, monthly partitions, WAL and dedup on ' + '(ts, asset, interval_minutes)',
    () => {
      expect(CREATE_ASSETPRICE).toMatch(/^CREATE TABLE IF NOT EXISTS assetprice \(/);
      expect(CREATE_ASSETPRICE).toContain('TIMESTAMP(ts) PARTITION BY MONTH WAL');
      expect(CREATE_ASSETPRICE).toContain('DEDUP UPSERT KEYS(ts, asset, interval_minutes)');
      for (const [column, type] of Object.entries(ASSETPRICE_COLUMNS))
        expect(CREATE_ASSETPRICE).toContain(`  ${column} ${type}`);
    },
  );

  it('finds no problem in the table it creates', () => {
    expect(schemaProblems(expectedRows())).toEqual([]);
  });

  it('names every difference of a table made otherwise (e.g. auto-created by ILP)', () => {
    const rows = expectedRows()
      .filter((r) => r.column !== 'vwap')
      .map((r) => (r.column === 'trades' ? { ...r, type: 'DOUBLE' } : r))
      .map((r) => ({ ...r, upsertKey: false }));
    expect(schemaProblems(rows)).toEqual([
      'column vwap is missing',
      'column trades is DOUBLE, expected LONG',
      'DEDUP UPSERT KEYS are (none), expected (ts, asset, interval_minutes)',
    ]);
    const undesignated = expectedRows().map((r) => ({ ...r, designated: false }));
    expect(schemaProblems(undesignated)).toEqual(['ts is not the designated timestamp']);
  });
});
