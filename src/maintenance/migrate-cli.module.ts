import { Module } from '@nestjs/common';
import { MigrateCommand } from './migrate.command';

/** `candlekeep migrate`: needs only the database module every verb's root imports. */
@Module({ providers: [MigrateCommand] })
export class MigrateCliModule {}
