import { Option, SubCommand } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { ListFormat, LIST_FORMATS, parseCategory, parseListFormat, parseTier } from '../common/option-parsers';
import { renderTable } from '../common/table';
import { renderCsvRows } from '../common/csv';
import { UsageError } from '../common/errors';
import { AssetCategory, Tier } from '../common/enums';
import { AssetCatalogService, AssetListEntry } from './asset-catalog.service';

interface AssetsListOptions extends JsonOption {
  category?: AssetCategory;
  tier?: Tier;
  inactive?: boolean;
  format?: ListFormat;
}

const COLUMNS = [
  'symbol',
  'native_symbol',
  'altname',
  'exchange',
  'category',
  'tier',
  'active',
  'verified',
  'archive_only',
] as const;

@SubCommand({
  name: 'list',
  description: 'the asset catalog: active assets (--inactive: every one), by category and tier',
})
export class AssetsListCommand extends CandlekeepCommand<AssetsListOptions> {
  constructor(private readonly catalog: AssetCatalogService) {
    super();
  }

  protected async execute(params: string[], o: AssetsListOptions): Promise<CommandOutcome> {
    if (params.length)
      throw new UsageError(`assets list takes no arguments, got ${params.map((p) => JSON.stringify(p)).join(' ')}`);
    const assets = await this.catalog.list({
      category: o.category,
      tier: o.tier,
      includeInactive: o.inactive ?? false,
    });
    const format = o.format ?? (o.json ? 'json' : 'table');
    const rows = assets.map((a: AssetListEntry) => COLUMNS.map((c) => a[c]));
    const text =
      format === 'csv'
        ? renderCsvRows(COLUMNS, rows).replace(/\n$/, '')
        : assets.length
          ? renderTable(
              COLUMNS,
              rows.map((r) => r.map((v) => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : v))),
            )
          : 'no assets';
    return this.ok({ total: assets.length, assets }, format === 'json' ? undefined : text);
  }

  @Option({ flags: '--category <category>', description: 'crypto, forex, stock or commodity' })
  parseCategory(v: string): AssetCategory {
    return parseCategory(v);
  }

  @Option({ flags: '--tier <tier>', description: 'TIER1..TIER4' })
  parseTier(v: string): Tier {
    return parseTier(v);
  }

  @Option({ flags: '--inactive', description: 'include inactive assets' })
  parseInactive(): boolean {
    return true;
  }

  @Option({ flags: '--format <format>', description: `output format: ${LIST_FORMATS.join(', ')} (default table)` })
  parseFormat(v: string): ListFormat {
    return parseListFormat(v);
  }
}
