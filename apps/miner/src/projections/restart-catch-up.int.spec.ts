import type { DataSource } from 'typeorm';
import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { openDatabase, PROJECTION_MIGRATIONS } from '@loopwright/projections';
import { createTestSchema, dropTestStream, testEventLogConfig, TestSchema } from '@loopwright/testing';
import { RunningProjections, startProjections } from './start-projections';

function step(n: number): LoopEvent {
  return createEvent({
    type: 'trace.step', aggregateId: 'r1', producer: 'executor',
    data: { taskId: 'r1-engineer', iteration: 1, step: n, kind: 'search', tool: 'list_files', input: '.' },
  });
}

/**
 * The live runner restarted from its checkpoints at points through the log (mid-log, exactly at its
 * end, with events appended while it opens) must report caught up as soon as it has applied the last
 * message, not when its stall watch (here 20 s) or a new event wakes it; and a runner stopped right
 * after it started (its reader opened but not yet read) must stop.
 */
describe('the miner’s projections restarted from their checkpoints', () => {
  let config: LogConfig;
  let log: EventLog;
  let schema: TestSchema;
  let db: DataSource;
  let running: RunningProjections | undefined;

  beforeAll(async () => {
    config = testEventLogConfig('miner_restart', 'miner');
    log = await EventLog.open(config);
    schema = await createTestSchema('miner_restart');
    db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
  });

  afterAll(async () => {
    await running?.stop();
    await log.close();
    await db.destroy();
    await schema.drop();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('reports caught up within a second of every restart, mid-log or at its end', async () => {
    const times: number[] = [];
    let n = 0;
    const restart = async (appendBefore: number, appendDuring: number): Promise<void> => {
      await running?.stop();
      if (appendBefore > 0) await log.appendMany(Array.from({ length: appendBefore }, () => step(n++)));
      const started = performance.now();
      running = await startProjections(log, db, { stallMs: 20_000, onError: (e) => console.error(e) });
      if (appendDuring > 0) await log.appendMany(Array.from({ length: appendDuring }, () => step(n++)));
      const last = (await log.jsm.streams.info(config.streamName)).state.last_seq;
      await running.waitFor(last, 25_000);
      times.push(Math.round(performance.now() - started));
    };
    await restart(16, 0);
    for (let round = 0; round < 12; round++) await restart(round % 3 === 0 ? 0 : 1 + (round % 5), round % 2 === 0 ? 0 : 1 + (round % 4));
    console.log(`time to catch up after each restart (ms): ${times.join(' ')}`);
    expect(Math.max(...times)).toBeLessThan(1_000);
  }, 120_000);
});
