import { AssetCategory } from '../common/enums';
import { FIAT } from '../sources/standard-symbol-parts';

/** Metal-backed tokens. */
const COMMODITY_BASES = new Set(['PAXG', 'XAUT', 'XAU', 'XAG', 'KAU', 'KAG', 'DGX', 'PMGT']);

/**
 * Category of a standard pair: forex when base and quote are both fiat;
 * commodity for metal-backed tokens; stock for tokenized equities (Kraken's
 * xStocks, which AssetPairs reports with a tokenized asset class); crypto otherwise.
 */
export function categorize(base: string, quote: string, assetClass?: string): AssetCategory {
  if (FIAT.has(base) && FIAT.has(quote)) return 'forex';
  if (COMMODITY_BASES.has(base)) return 'commodity';
  if (assetClass === 'tokenized_asset' || assetClass === 'equity') return 'stock';
  return 'crypto';
}
