import { Injectable } from '@nestjs/common';
import { AssetRepository } from '../assets/asset.repository';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { TiersService } from '../assets/tiers.service';
import { Asset } from '../entities/asset.entity';
import { DiscoveredFile, Discovery } from './archive-discovery.service';
import { NothingMatchedError } from './ingestion.errors';
import { IngestRequest } from './ingest-run';

/** A discovered file an ingest takes, with its asset (created on first sight). */
export interface SelectedFile {
  file: DiscoveredFile;
  asset: Asset;
}

/** Which discovered files an ingest takes: by the request's --intervals, --tier and --symbols. */
@Injectable()
export class FileSelectionService {
  constructor(
    private readonly catalog: AssetCatalogService,
    private readonly assets: AssetRepository,
    private readonly tiers: TiersService,
  ) {}

  /**
   * Files found, none of them selected by --intervals / --tier / --symbols, or a named symbol with no file:
   * say what there was instead of doing nothing (or less than asked).
   */
  async refuseEmptySelection(request: IngestRequest, found: Discovery): Promise<void> {
    if (found.files.length === 0 || (!request.intervals && !request.tier && !request.symbols)) return;
    const selection = await this.selection(request);
    const matched = new Set<string>();
    for (const file of found.files) {
      const symbol = await selection.select(file);
      if (symbol !== null) matched.add(symbol);
    }
    const unmatched = selection.symbols ? [...selection.symbols].filter((s) => !matched.has(s)) : [];
    if (matched.size > 0 && unmatched.length === 0) return;
    const intervals = [...new Set(found.files.map((f) => f.member.intervalMinutes))].sort((a, b) => a - b);
    const symbols = [...new Set(found.files.map((f) => f.member.standard.symbol))].sort();
    const asked = [
      request.intervals ? `--intervals ${request.intervals.join(',')}` : '',
      request.tier ? `--tier ${request.tier}` : '',
      request.symbols ? `--symbols ${request.symbols.join(',')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    throw new NothingMatchedError(
      `${matched.size ? `no file of ${unmatched.join(', ')} matched` : 'no file matched'} ${asked} ` +
        `(found ${found.files.length} file(s) at interval(s) ${intervals.join(', ')}` +
        `${request.symbols ? ` of ${symbols.slice(0, 10).join(', ')}${symbols.length > 10 ? ', …' : ''}` : ''})`,
    );
  }

  /** The files the request selects, in discovery order, each with its asset. */
  async selectFiles(request: IngestRequest, files: readonly DiscoveredFile[]): Promise<SelectedFile[]> {
    const selected: SelectedFile[] = [];
    const selection = await this.selection(request);
    for (const file of files) {
      if ((await selection.select(file)) === null) continue;
      selected.push({ file, asset: await this.catalog.findOrCreateFromPairName(file.member.pair) });
    }
    return selected;
  }

  /**
   * Selects discovered files by the request's --intervals, --tier and --symbols: `select` gives the file's symbol, or
   * null.
   */
  private async selection(
    request: IngestRequest,
  ): Promise<{ symbols?: Set<string>; select(file: DiscoveredFile): Promise<string | null> }> {
    const symbols = request.symbols
      ? new Set(await Promise.all(request.symbols.map((s) => this.catalog.standardSymbol(s))))
      : undefined;
    return {
      symbols,
      select: async (file) => {
        if (request.intervals && !request.intervals.includes(file.member.intervalMinutes)) return null;
        // No catalog lookup per file unless a tier or symbols are asked for (a directory may hold thousands).
        if (!request.tier && !symbols) return file.member.standard.symbol;
        const known =
          (await this.assets.findByNativeName(file.member.exchange, file.member.pair)) ??
          (await this.assets.findBySymbol(file.member.standard.symbol));
        if (request.tier && (known?.tier ?? this.tiers.tierOf(file.member.standard.base)) !== request.tier) return null;
        const symbol = known?.symbol ?? file.member.standard.symbol;
        return !symbols || symbols.has(symbol) ? symbol : null;
      },
    };
  }
}
