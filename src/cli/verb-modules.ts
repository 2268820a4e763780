import type { DynamicModule, Type } from '@nestjs/common';
import type * as AssetsCli from '../assets/assets-cli.module';
import type * as CandlesCli from '../reports/candles-cli.module';
import type * as CliCore from './cli-core.module';
import type * as Cli from '../cli.module';
import type * as MigrateCli from '../maintenance/migrate-cli.module';
import type * as BackfillCli from '../backfill/backfill-cli.module';
import type * as GapsCli from '../gaps/gaps-cli.module';
import type * as PipelineCli from '../pipeline/pipeline-cli.module';
import type * as ReportsCli from '../reports/reports-cli.module';
import type * as TasksCli from '../tasks/tasks-cli.module';
import type * as TokensCli from '../tokens/tokens-cli.module';
import type * as TimeseriesCli from '../timeseries/timeseries-cli.module';

// Each loader requires its module file on call, not before (as src/candles/questdb/questdb-client.ts does).
const gaps = () => require('../gaps/gaps-cli.module') as typeof GapsCli;
const reports = () => require('../reports/reports-cli.module') as typeof ReportsCli;
const pipeline = () => require('../pipeline/pipeline-cli.module') as typeof PipelineCli;
const backfill = () => require('../backfill/backfill-cli.module') as typeof BackfillCli;
const timeseries = () => require('../timeseries/timeseries-cli.module') as typeof TimeseriesCli;

/**
 * Each verb's own module, loaded only when that verb runs: `gaps` does not load (nor Nest scan) ingestion,
 * reports, tasks or exports. Every verb of the whole CLI (src/cli.module.ts) is here, in its order;
 * test/int/cli-usage.test.ts checks that the two agree.
 */
export const VERB_MODULES: ReadonlyMap<string, () => Type> = new Map<string, () => Type>([
  ['migrate', () => (require('../maintenance/migrate-cli.module') as typeof MigrateCli).MigrateCliModule],
  ['assets', () => (require('../assets/assets-cli.module') as typeof AssetsCli).AssetsCliModule],
  ['ingest', () => pipeline().IngestCliModule],
  ['jobs', () => pipeline().JobsCliModule],
  ['backfill', () => backfill().BackfillCliModule],
  ['gaps', () => gaps().GapsCliModule],
  ['series', () => reports().SeriesCliModule],
  ['update-market-data', () => backfill().UpdateMarketDataCliModule],
  ['report', () => reports().ReportCliModule],
  ['validate', () => reports().ValidateCliModule],
  ['cleanup', () => gaps().CleanupCliModule],
  ['tasks', () => (require('../tasks/tasks-cli.module') as typeof TasksCli).TasksCliModule],
  ['candles', () => (require('../reports/candles-cli.module') as typeof CandlesCli).CandlesCliModule],
  ['tokens', () => (require('../tokens/tokens-cli.module') as typeof TokensCli).TokensCliModule],
  ['compare', () => timeseries().CompareCliModule],
  ['latest', () => timeseries().LatestCliModule],
]);

/**
 * The root module that runs `args`. Commander takes the first word as the verb (the root has no option of its
 * own but --help), so a known first word boots that verb alone; anything else (no verb, `help`, an unknown
 * verb, a root-level flag) boots the whole CLI, whose messages name every verb.
 */
export function cliRootModule(args: readonly string[]): Type | DynamicModule {
  const verbModule = args[0] === undefined ? undefined : VERB_MODULES.get(args[0]);
  if (verbModule === undefined) return (require('../cli.module') as typeof Cli).CliModule;
  return (require('./cli-core.module') as typeof CliCore).CliCoreModule.forVerb(verbModule());
}
