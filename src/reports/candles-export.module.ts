import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module';
import { CandlesExportService } from './candles-export.service';
import { CandlesModule } from '../candles/candles.module';

/** Candle exports (`candlekeep candles`): asset resolution + the CandleStore. */
@Module({
  imports: [AssetsModule, CandlesModule],
  providers: [CandlesExportService],
  exports: [CandlesExportService],
})
export class CandlesExportModule {}
