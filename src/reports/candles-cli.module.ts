import { Module } from '@nestjs/common';
import { CandlesExportModule } from './candles-export.module';
import { CandlesCommand } from './candles.command';

/** `candlekeep candles`. */
@Module({ imports: [CandlesExportModule], providers: [CandlesCommand] })
export class CandlesCliModule {}
