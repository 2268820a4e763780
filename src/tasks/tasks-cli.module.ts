import { Module } from '@nestjs/common';
import { TasksCommand } from './tasks.command';
import { TasksModule } from './tasks.module';

/** `candlekeep tasks`. */
@Module({ imports: [TasksModule], providers: [TasksCommand] })
export class TasksCliModule {}
