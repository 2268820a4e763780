import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parseCategory, parseSymbols, SYMBOLS_FLAG_HELP } from '../common/option-parsers';
import { renderTable } from '../common/table';
import { EXIT_INCOMPLETE, EXIT_OK } from '../common/error-map';
import { UsageError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { ASSET_CATEGORIES, AssetCategory } from '../common/enums';
import { CategoryCounts } from './market-data-update.service';
import { RecordedRunsService } from './recorded-runs.service';

interface UpdateOptions extends JsonOption {
  categories?: AssetCategory[];
  force?: boolean;
  symbols?: string[];
}

@Command({
  name: 'update-market-data',
  description: 'bring the held series of the categories (or of --symbols) up to the last closed candle (OHLC)',
})
export class UpdateMarketDataCommand extends CandlekeepCommand<UpdateOptions> {
  constructor(
    private readonly runs: RecordedRunsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  protected async execute(_params: string[], o: UpdateOptions): Promise<CommandOutcome> {
    const categories = o.categories ?? this.config.backfill.updateCategories;
    const result = await this.runs.updateMarketData(
      'cli',
      { categories, force: o.force ?? false, symbols: o.symbols },
      (p) =>
        this.cliLogger.log(
          `${p.category} (${p.current}/${p.total}): ` +
            `${p.status === 'started' ? 'started' : `${p.status}, ${countsText(p.counts)}`}`,
        ),
    );
    const s = result.summary;
    const text = [
      `job ${result.job_id}`,
      `status ${result.status}: ${result.categories_processed}/${result.total_categories} categories, ` +
        `${countsText({
          success: s.total_success,
          unchanged: s.total_unchanged,
          failed: s.total_failed,
          skipped: s.total_skipped,
        })}`,
      renderTable(
        ['category', 'updated', 'unchanged', 'failed', 'fresh', 'error'],
        Object.entries(result.details).map(([c, d]) => [
          c,
          d.success,
          d.unchanged,
          d.failed,
          d.skipped,
          d.error ?? null,
        ]),
      ),
    ].join('\n');
    return { exitCode: result.status === 'success' ? EXIT_OK : EXIT_INCOMPLETE, result, text };
  }

  @Option({
    flags: '--categories <list>',
    description: `comma-separated: ${ASSET_CATEGORIES.join(', ')} (default UPDATE_CATEGORIES: all)`,
  })
  parseCategories(v: string): AssetCategory[] {
    const list = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((c) => parseCategory(c, '--categories'));
    if (!list.length) throw new UsageError('--categories: give at least one category');
    return list;
  }

  @Option({ flags: '--symbols <list>', description: `only the held series of these assets: ${SYMBOLS_FLAG_HELP}` })
  parseSymbols(v: string): string[] {
    return parseSymbols(v);
  }

  @Option({ flags: '--force', description: 'update series even when fresh' })
  parseForce(): boolean {
    return true;
  }
}

function countsText(c: CategoryCounts): string {
  return `${c.success} updated, ${c.unchanged} unchanged, ${c.failed} failed, ${c.skipped} fresh`;
}
