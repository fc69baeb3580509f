import type { DataSource } from 'typeorm';
import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, verifyLog } from '@loopwright/eventlog';
import { openDatabase, PROJECTION_MIGRATIONS } from '@loopwright/projections';
import { createTestSchema, dropTestStream, testEventLogConfig, TestSchema } from '@loopwright/testing';
import { publishAuditCheckpoint } from './audit-checkpoints';
import { RunningProjections, startProjections } from './projections/start-projections';

function step(n: number): LoopEvent {
  return createEvent({
    type: 'trace.step', aggregateId: 'r1', producer: 'executor',
    data: { taskId: 'r1-engineer', iteration: 1, step: n, kind: 'search', tool: 'list_files', input: '.' },
  });
}

describe('audit checkpoints', () => {
  const config = testEventLogConfig('audit_checkpoints', 'miner');
  let log: EventLog;
  let schema: TestSchema;
  let db: DataSource;
  let projections: RunningProjections;

  beforeAll(async () => {
    log = await EventLog.open(config);
    schema = await createTestSchema('audit_checkpoints');
    db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
    projections = await startProjections(log, db);
  });

  afterAll(async () => {
    await projections.stop();
    await log.close();
    await db.destroy();
    await schema.drop();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  async function checkpoints(): Promise<number[]> {
    const covered: number[] = [];
    for await (const stored of log.replay({ filter: `${config.subjectRoot}.audit.>` })) {
      if (stored.event?.type === 'audit.checkpoint') covered.push(stored.event.data.uptoSeq);
    }
    return covered;
  }

  /** Lets the audit chain catch up with the whole log, then asks for a checkpoint. */
  async function checkpointWhenCaughtUp(): Promise<void> {
    await projections.waitFor((await log.jsm.streams.info(config.streamName)).state.last_seq, 60_000);
    await publishAuditCheckpoint(log, db);
  }

  it('are published only when real events moved the chain, not for the checkpoints themselves', async () => {
    const appended = await log.appendMany([step(0), step(1), step(2)]);
    await checkpointWhenCaughtUp();
    expect(await checkpoints()).toEqual([appended[2].seq]);

    // an idle log: each pass sees only the previous checkpoint, and adds nothing
    for (let pass = 0; pass < 3; pass++) await checkpointWhenCaughtUp();
    expect(await checkpoints()).toEqual([appended[2].seq]);

    const later = await log.append(step(3));
    await checkpointWhenCaughtUp();
    await checkpointWhenCaughtUp();
    const covered = await checkpoints();
    expect(covered).toHaveLength(2);
    expect(covered[1]).toBeGreaterThanOrEqual(later.seq);
    expect((await verifyLog(log)).ok).toBe(true);
  }, 120_000);
});
