import { Inject } from '@nestjs/common';
import { SubCommand } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome } from '../cli/candlekeep-command';
import { UsageError } from '../common/errors';
import { AssetCatalogService } from './asset-catalog.service';

/** `assets activate|deactivate SYMBOL`: the one difference is the state set. */
abstract class AssetsActiveCommand extends CandlekeepCommand {
  protected abstract readonly active: boolean;

  // Injected by property: the concrete subcommands declare no constructor of their own.
  @Inject(AssetCatalogService)
  private readonly catalog!: AssetCatalogService;

  protected async execute(params: string[]): Promise<CommandOutcome> {
    const verb = this.active ? 'activate' : 'deactivate';
    if (params.length !== 1)
      throw new UsageError(
        `assets ${verb}: exactly one SYMBOL is required, e.g. candlekeep assets ${verb} BTC-USD-SPOT`,
      );
    const { asset, changed } = await this.catalog.setActive(params[0]!, this.active);
    const result = { symbol: asset.symbol, active: asset.active, changed };
    return this.ok(result, `${asset.symbol}: ${asset.active ? 'active' : 'inactive'}${changed ? '' : ' (unchanged)'}`);
  }
}

@SubCommand({
  name: 'activate',
  arguments: '<symbol>',
  description: 'mark an asset active again (backfill, updates and reports include it)',
})
export class AssetsActivateCommand extends AssetsActiveCommand {
  protected readonly active = true;
}

@SubCommand({
  name: 'deactivate',
  arguments: '<symbol>',
  description: 'mark an asset inactive: left out of backfill, updates and reports; nothing is deleted',
})
export class AssetsDeactivateCommand extends AssetsActiveCommand {
  protected readonly active = false;
}
