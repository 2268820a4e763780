import { join, resolve } from 'node:path';

/**
 * The recorded data the tests replay: test/fixtures/<source>/ (each with its
 * PROVENANCE.md). KRAKEN_FIXTURES_DIR points the Kraken readers at another
 * folder of the same layout (api/, csv/), e.g. other real files.
 */
export const FIXTURES_ROOT = resolve(__dirname, '..', 'fixtures');
export const KRAKEN_FIXTURES = process.env.KRAKEN_FIXTURES_DIR ?? join(FIXTURES_ROOT, 'kraken');
/** Kraken's recorded REST responses. */
export const KRAKEN_API_FIXTURES = join(KRAKEN_FIXTURES, 'api');
/** Kraken's OHLCVT archive samples. */
export const KRAKEN_CSV_FIXTURES = join(KRAKEN_FIXTURES, 'csv');
