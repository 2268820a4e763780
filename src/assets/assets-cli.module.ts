import { Module } from '@nestjs/common';
import { AssetsActivateCommand, AssetsDeactivateCommand } from './assets-active.command';
import { AssetsListCommand } from './assets-list.command';
import { AssetsSyncCommand } from './assets-sync.command';
import { AssetsCommand } from './assets.command';
import { AssetsModule } from './assets.module';

/** `candlekeep assets list | sync | activate | deactivate`. */
@Module({
  imports: [AssetsModule],
  providers: [AssetsCommand, AssetsListCommand, AssetsSyncCommand, AssetsActivateCommand, AssetsDeactivateCommand],
})
export class AssetsCliModule {}
