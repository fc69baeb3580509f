import { createEvent, EventOf } from '@loopwright/events';
import { EventLog } from '@loopwright/eventlog';
import type { RunningService } from '@loopwright/service';
import { createTestSchema, dropTestStream, testEventLogConfig, TestSchema } from '@loopwright/testing';
import { startMiner } from './main';
import { minerConfigFromEnv } from './miner.config';
import { recordPass } from './pass-record';

async function passRecords(log: EventLog): Promise<(EventOf<'miner.pass.completed'> & { seq: number })[]> {
  const records: (EventOf<'miner.pass.completed'> & { seq: number })[] = [];
  for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.system.*.miner.miner.pass.completed` })) {
    if (stored.event?.type === 'miner.pass.completed') records.push({ ...stored.event, seq: stored.seq });
  }
  return records;
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('miner pass records', () => {
  const config = testEventLogConfig('miner_pass_records', 'miner');
  let log: EventLog;
  let schema: TestSchema;
  let miner: RunningService;
  let stopped = false;

  beforeAll(async () => {
    log = await EventLog.open(config);
    schema = await createTestSchema('miner_pass_records');
    process.env['DATABASE_URL'] = schema.databaseUrl;
    process.env['LOOP_DB_SCHEMA'] = schema.schema;
    miner = await startMiner({ log, config: { ...minerConfigFromEnv({}), passIntervalMs: 200, auditIntervalMs: 60_000 } });
  });

  afterAll(async () => {
    if (!stopped) await miner.stop();
    delete process.env['DATABASE_URL'];
    delete process.env['LOOP_DB_SCHEMA'];
    await log.close();
    await schema.drop();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('records a completed pass that read through the log up to an event appended before it', async () => {
    const { seq } = await log.append(createEvent({
      type: 'trace.step', aggregateId: 'r1', producer: 'executor',
      data: { taskId: 'r1-engineer', iteration: 1, step: 0, kind: 'search', tool: 'list_files', input: '.' },
    }));
    const record = await until(async () => (await passRecords(log)).find((r) => r.data.readThroughSeq >= seq));
    expect(record.producer).toBe('miner');
    expect(record.aggregateId).toBe('outer-loop');
    expect(record.seq).toBeGreaterThan(seq);
    expect(record.data).toMatchObject({ proposals: 0, validations: 0, promotions: 0, appended: 0 });
  }, 60_000);

  it('records a pass that appended something, then not an idle pass that read nothing new but that record', async () => {
    await miner.stop();
    stopped = true;
    const before = await passRecords(log);
    const readThroughSeq = (await log.jsm.streams.info(config.streamName)).state.last_seq;
    const busy = await recordPass(log, { readThroughSeq, appended: new Map([['rule.proposed', 2], ['rule.validated', 1]]), durationMs: 5 });
    expect(busy).toBe(readThroughSeq + 1);
    expect((await passRecords(log)).pop()?.data).toMatchObject({ readThroughSeq, proposals: 2, validations: 1, promotions: 0, appended: 3, durationMs: 5 });
    expect(await recordPass(log, { readThroughSeq: busy!, appended: new Map(), durationMs: 5 })).toBeUndefined();
    expect(await passRecords(log)).toHaveLength(before.length + 1);
  }, 60_000);
});
