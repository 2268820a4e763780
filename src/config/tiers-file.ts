import { readFileSync } from 'node:fs';
import { ConfigError } from '../common/errors';
import { Tier, TIERS } from '../common/enums';

/**
 * Reads a tiers file (standard base asset → TIER1..TIER3). Checked with the
 * rest of the configuration (a missing or malformed file is a configuration
 * error, exit 2, before anything starts) and by TiersService, which uses it.
 */
export function loadTiersFile(file: string): Map<string, Tier> {
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
      throw new ConfigError(
        `TIERS_FILE=${JSON.stringify(file)}: ${base} has tier ${JSON.stringify(tier)}, ` +
          `expected one of ${TIERS.join(', ')}`,
      );
    }
    map.set(base.toUpperCase(), tier as Tier);
  }
  return map;
}
