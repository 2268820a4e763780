import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parseInterval } from '../common/option-parsers';
import { EXIT_INCOMPLETE, EXIT_OK } from '../common/error-map';
import { IntervalMinutes } from '../common/enums';
import { UsageError } from '../common/errors';
import { TimeseriesService } from './timeseries.service';

interface LatestOptions extends JsonOption {
  interval?: IntervalMinutes;
}

@Command({
  name: 'latest',
  arguments: '<symbol>',
  description:
    'the last closed stored candle of a series, how many intervals behind now it is and whether it is stale ' +
    '(the rule of validate; exit 1 when stale)',
})
export class LatestCommand extends CandlekeepCommand<LatestOptions> {
  constructor(private readonly timeseries: TimeseriesService) {
    super();
  }

  protected async execute(params: string[], o: LatestOptions): Promise<CommandOutcome> {
    const [symbol, ...extra] = params;
    if (!symbol || extra.length) throw new UsageError('latest: give one SYMBOL, e.g. candlekeep latest BTC-USD');
    const r = await this.timeseries.latest(symbol, o.interval ?? 60);
    const text =
      `${r.symbol} ${r.interval}m ${r.time}: open ${r.open} high ${r.high} low ${r.low} close ${r.close} ` +
      `volume ${r.volume} trades ${r.trades}; ${r.intervals_behind} interval(s) behind${r.stale ? ', STALE' : ''}`;
    return { exitCode: r.stale ? EXIT_INCOMPLETE : EXIT_OK, result: r, text };
  }

  @Option({ flags: '--interval <minutes>', description: 'the series interval in minutes or 1h, 1d, … (default 60)' })
  parseInterval(v: string): IntervalMinutes {
    return parseInterval(v);
  }
}
