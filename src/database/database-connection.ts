import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * Where the state database is: DATABASE_URL when set (nothing is started),
 * else the embedded PostgreSQL under CANDLEKEEP_HOME. Released at shutdown:
 * a command's exit stops the embedded cluster unless another process uses it.
 */
@Injectable()
export class DatabaseConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseConnection.name);
  private embedded?: EmbeddedPostgres;
  private url?: Promise<string>;

  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  get isEmbedded(): boolean {
    return this.config.database.url === undefined;
  }

  /** The state database's URL (the entry points probe DATABASE_URL before Nest starts: see preflightDatabase). */
  resolveUrl(): Promise<string> {
    this.url ??=
      this.config.database.url !== undefined ? Promise.resolve(this.config.database.url) : this.startEmbedded();
    return this.url;
  }

  private async startEmbedded(): Promise<string> {
    this.embedded = new EmbeddedPostgres(this.config.database.home, (m) => this.logger.debug(m));
    const db = await this.embedded.acquire();
    this.logger.debug(`using embedded PostgreSQL on 127.0.0.1:${db.port} (${db.dataDir})`);
    return db.url;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    // Close our pool before the cluster may stop under it.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource?.isInitialized) await dataSource.destroy();
    await this.embedded.release();
  }
}
