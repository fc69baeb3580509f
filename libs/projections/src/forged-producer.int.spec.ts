import type { DataSource } from 'typeorm';
import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig, RunningConsumer } from '@loopwright/eventlog';
import { createTestSchema, dropTestStream, testEventLogConfig, TestSchema } from '@loopwright/testing';
import { checkpointKey, openDatabase, PROJECTION_MIGRATIONS, runProjector, runsProjector, tasksProjector } from './index';

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 25));
}

/** The live projectors against a task the submitter publishes into a run it did not import. */
describe('projections and events from the wrong producer', () => {
  let config: LogConfig;
  let log: EventLog;
  let schema: TestSchema;
  let db: DataSource;
  let consumers: RunningConsumer[];

  beforeAll(async () => {
    config = testEventLogConfig('projforged', 'miner');
    log = await EventLog.open(config);
    schema = await createTestSchema('projforged');
    db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
    consumers = await Promise.all([runsProjector, tasksProjector].map((projector) => runProjector(log, db, projector)));
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await log.close();
    await db.destroy();
    await schema.drop();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  const goal = (runId: string, backend: 'sim' | 'import') => createEvent({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
    data: { goalId: runId, title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 1, backend },
  });
  const started = (runId: string, producer: 'executor' | 'submitter') => createEvent({
    type: 'task.started', aggregateId: runId, producer,
    data: { taskId: `${runId}-engineer`, role: 'engineer', iteration: 1, allowedPaths: ['src/**'], maxTurns: 10 },
  });

  it('quarantines a task the submitter starts in a run the executor drives, and projects the one it imports', async () => {
    await log.appendMany([goal('driven', 'sim'), goal('imp-t1', 'import'), started('imp-t1', 'submitter')]);
    // The submitter's user may publish task.started (for `loopwright import`): raw JSON passes the NATS permissions.
    const task = started('driven', 'executor');
    const forged = await log.js.publish(
      `${config.subjectRoot}.run.driven.submitter.task.started`,
      new TextEncoder().encode(JSON.stringify({ ...task, producer: 'submitter' } as LoopEvent)),
    );
    const checkpoints = async () => {
      const rows: { projector: string; last_seq: string }[] = await db.query('SELECT projector, last_seq FROM projection_checkpoint');
      return new Map(rows.map((r) => [r.projector, Number(r.last_seq)]));
    };
    const notices = async () => {
      const found: string[] = [];
      for await (const s of log.replay({ filter: `${config.subjectRoot}.system.>` })) {
        if (s.event?.type === 'system.event.quarantined' && s.event.data.originalSeq === forged.seq) found.push(s.event.data.reason);
      }
      return found;
    };
    // each live projector quarantines it on its own durable
    await until(async () => (await notices()).length === 2);
    await until(async () => {
      const at = await checkpoints();
      return [runsProjector, tasksProjector].every((p) => (at.get(checkpointKey(p)) ?? 0) >= forged.seq - 1);
    });

    const tasks: { run_id: string }[] = await db.query('SELECT run_id FROM tasks ORDER BY run_id');
    const runs: { run_id: string; status: string; iterations: number }[] = await db.query('SELECT run_id, status, iterations FROM runs ORDER BY run_id');
    expect(tasks.map((t) => t.run_id)).toEqual(['imp-t1']);
    expect(runs).toEqual([{ run_id: 'driven', status: 'submitted', iterations: 0 }, { run_id: 'imp-t1', status: 'running', iterations: 1 }]);
    expect(await notices()).toEqual([
      expect.stringMatching(/submitter may publish task\.started only in a run it imported, not in run driven/),
      expect.stringMatching(/submitter may publish task\.started only in a run it imported, not in run driven/),
    ]);
  });
});
