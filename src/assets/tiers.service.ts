import { Injectable, Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { Tier, TIERS } from '../entities/enums';

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
    this.file = config.tiersFile ? resolve(config.tiersFile) : DEFAULT_TIERS_FILE;
    this.tiers = TiersService.load(this.file);
    this.logger.debug(`loaded ${this.tiers.size} tier assignments from ${this.file}`);
  }

  tierOf(base: string): Tier {
    return this.tiers.get(base.toUpperCase()) ?? 'TIER4';
  }

  static load(file: string): Map<string, Tier> {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`TIERS_FILE=${JSON.stringify(file)}: cannot read a JSON object: ${(e as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ConfigError(`TIERS_FILE=${JSON.stringify(file)}: expected an object mapping base assets to tiers`);
    }
    const map = new Map<string, Tier>();
    for (const [base, tier] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof tier !== 'string' || !(TIERS as readonly string[]).includes(tier)) {
        throw new ConfigError(`TIERS_FILE=${JSON.stringify(file)}: ${base} has tier ${JSON.stringify(tier)}, expected one of ${TIERS.join(', ')}`);
      }
      map.set(base.toUpperCase(), tier as Tier);
    }
    return map;
  }
}
