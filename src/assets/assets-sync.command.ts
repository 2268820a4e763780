import { SubCommand } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome } from '../cli/candlekeep-command';
import { UsageError } from '../common/errors';
import { AssetsSyncResult, AssetsSyncService } from './assets-sync.service';

@SubCommand({
  name: 'sync',
  description:
    'load Kraken AssetPairs/Assets into the asset catalog: standard symbols, categories, tiers, inactive pairs',
})
export class AssetsSyncCommand extends CandlekeepCommand {
  constructor(private readonly assetsSync: AssetsSyncService) {
    super();
  }

  protected async execute(params: string[]): Promise<CommandOutcome> {
    if (params.length)
      throw new UsageError(`assets sync takes no arguments, got ${params.map((p) => JSON.stringify(p)).join(' ')}`);
    const result = await this.assetsSync.sync();
    return this.ok(result, render(result));
  }
}

function render(r: AssetsSyncResult): string {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    `assets: ${r.assets_total} (${r.active} active, ${r.unverified} unverified)`,
    `created ${r.created}, updated ${r.updated}, deactivated ${r.deactivated}`,
    `by category: ${list(r.by_category)}`,
    `by tier: ${list(r.by_tier)}`,
  ].join('\n');
}
