import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ApiModule } from './api/api.module';
import { AssetsModule } from './assets/assets.module';
import { CommonModule } from './common/common.module';
import { ShutdownLogger } from './common/shutdown-logger';
import { DatabaseModule } from './database/database.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { PipelineModule } from './pipeline/pipeline.module';
import { TaskScheduler } from './tasks/task-scheduler';
import { TasksModule } from './tasks/tasks.module';

/** Root module of the service (`npm start`): HTTP API and scheduled tasks. */
@Module({
  imports: [
    CommonModule,
    DatabaseModule,
    MaintenanceModule,
    AssetsModule,
    PipelineModule,
    TasksModule,
    ScheduleModule.forRoot(),
    ApiModule,
  ],
  providers: [TaskScheduler, ShutdownLogger],
})
export class AppModule {}
