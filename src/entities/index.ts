import { ApiToken } from './api-token.entity';
import { Asset } from './asset.entity';
import { CandleRow } from './candle.entity';
import { DataCoverageRange } from './data-coverage-range.entity';
import { FileIngestionRecord } from './file-ingestion-record.entity';
import { GapRecord } from './gap-record.entity';
import { IngestionJob } from './ingestion-job.entity';
import { Series } from './series.entity';

export { ApiToken, Asset, CandleRow, DataCoverageRange, FileIngestionRecord, GapRecord, IngestionJob, Series };
export const ENTITIES = [
  Asset,
  IngestionJob,
  FileIngestionRecord,
  DataCoverageRange,
  GapRecord,
  CandleRow,
  Series,
  ApiToken,
];
