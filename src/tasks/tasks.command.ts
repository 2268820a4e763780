import { Command } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { durationText, renderTable } from '../common/table';
import { UsageError } from '../common/errors';
import { TasksService } from './tasks.service';

@Command({
  name: 'tasks',
  arguments: '<action> [name]',
  argsDescription: { action: 'list | run', name: 'task to run (see `tasks list`)' },
  description: 'list the scheduled tasks with their next run times, or run one now (under its lock)',
})
export class TasksCommand extends CandlekeepCommand {
  constructor(private readonly tasks: TasksService) {
    super();
  }

  protected async execute([action, name]: string[], _o: JsonOption): Promise<CommandOutcome> {
    if (action === 'list') {
      const tasks = await this.tasks.list();
      return this.ok(
        { tasks },
        renderTable(
          ['task', 'cron (UTC)', 'next runs', 'last run', 'outcome', 'duration'],
          tasks.map((t) => [
            t.name,
            t.cron,
            t.next_runs.join(', '),
            t.last_run?.started_at ?? null,
            t.last_run?.status ?? null,
            durationText(t.last_run?.duration_ms),
          ]),
        ),
      );
    }
    if (action === 'run') {
      if (!name) throw new UsageError('tasks run: which task? see `candlekeep tasks list`');
      const run = await this.tasks.run(name, 'cli');
      return this.ok(
        run,
        run.ran
          ? `${run.task} done in ${run.duration_ms} ms (job ${run.job_id})\n${JSON.stringify(run.result, null, 2)}`
          : `${run.task}: ${run.skipped}`,
      );
    }
    throw new UsageError(`tasks: unknown action ${JSON.stringify(action)}; use list or run NAME`);
  }
}
