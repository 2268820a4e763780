import { Injectable, Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { loadTiersFile } from '../config/tiers-file';
import { Tier } from '../common/enums';

/** config/tiers.json at the package root (same depth from src/assets and dist/assets). */
export const DEFAULT_TIERS_FILE = resolve(__dirname, '..', '..', 'config', 'tiers.json');

/**
 * The tier rule, one for every asset however it is created: the tiers file
 * maps standard base assets to TIER1..TIER3; anything else is TIER4.
 */
@Injectable()
export class TiersService {
  private readonly logger = new Logger(TiersService.name);
  private readonly tiers: ReadonlyMap<string, Tier>;
  readonly file: string;

  constructor(config: AppConfig) {
    this.file = config.assets.tiersFile ? resolve(config.assets.tiersFile) : DEFAULT_TIERS_FILE;
    this.tiers = loadTiersFile(this.file);
    this.logger.debug(`loaded ${this.tiers.size} tier assignments from ${this.file}`);
  }

  tierOf(base: string): Tier {
    return this.tiers.get(base.toUpperCase()) ?? 'TIER4';
  }
}
