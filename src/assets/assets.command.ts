import { Command as Commander } from 'commander';
import { Command, CommandRunner } from 'nest-commander';
import { UsageError } from '../common/errors';
import { AssetsActivateCommand, AssetsDeactivateCommand } from './assets-active.command';
import { AssetsListCommand } from './assets-list.command';
import { AssetsSyncCommand } from './assets-sync.command';

/**
 * `candlekeep assets <subcommand>`: the asset catalog. It has no flags of its
 * own (so `assets sync --json` reaches the subcommand) and, like every verb,
 * turns usage problems into exit 2 instead of commander's exit(1).
 */
@Command({
  name: 'assets',
  description: 'asset catalog (subcommands: list, sync, activate SYMBOL, deactivate SYMBOL)',
  subCommands: [AssetsListCommand, AssetsSyncCommand, AssetsActivateCommand, AssetsDeactivateCommand],
})
export class AssetsCommand extends CommandRunner {
  override setCommand(command: Commander): this {
    command.exitOverride();
    command.addHelpText('after', '\nEvery subcommand accepts --json (one JSON object on stdout) and --help.');
    return super.setCommand(command);
  }

  async run(params: string[]): Promise<void> {
    throw new UsageError(
      params.length
        ? `unknown assets subcommand ${JSON.stringify(params[0])}: use list, sync, activate or deactivate`
        : 'missing subcommand: use `candlekeep assets list`, `assets sync`, ' +
            '`assets activate SYMBOL` or `assets deactivate SYMBOL`',
    );
  }
}
