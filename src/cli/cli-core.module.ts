import { DynamicModule, Module, Type } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { MaintenanceModule } from '../maintenance/maintenance.module';

/**
 * What every verb needs, whichever it is: the configuration, the clock the state database and its schema check
 * (global modules).
 */
@Module({ imports: [ConfigModule, CommonModule, DatabaseModule, MaintenanceModule] })
export class CliCoreModule {
  /** The root module of one verb: this core and that verb's CLI module, none of the other verbs' modules. */
  static forVerb(verbModule: Type): DynamicModule {
    return { module: CliCoreModule, imports: [verbModule] };
  }
}
