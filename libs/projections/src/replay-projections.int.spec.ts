import { fork } from 'node:child_process';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { createTestSchema, dropTestStream, testLogConfig, TestSchema } from '@loopwright/testing';
import { ALL_PROJECTIONS, checkpointKey, openDatabase, PROJECTION_MIGRATIONS, replayProjections } from './index';
import { scenarioEvents } from './testing/scenario';
import { tableRows } from './testing/table-rows';

describe('batched replay into all projections', () => {
  let config: LogConfig;
  let log: EventLog;
  let schema: TestSchema;
  let db: DataSource;

  beforeAll(async () => {
    const base = testLogConfig('replay');
    config = { ...base, producer: 'miner', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    log = await EventLog.open(config);
    schema = await createTestSchema('replay');
    db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
  });

  afterAll(async () => {
    await log.close();
    await db.destroy();
    await schema.drop();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('applies a realistic log of tens of thousands of events, every projector checkpointed at its end', async () => {
    const events = scenarioEvents({ runs: 500, seed: 42 });
    await log.appendMany(events, 2_000);
    const mix = new Map<string, number>();
    for (const e of events) mix.set(e.type, (mix.get(e.type) ?? 0) + 1);

    const result = await replayProjections(log, db, { batchSize: 5_000, apply: { relaxedDurability: true } });
    console.log(
      `replay: ${result.events} events in ${result.seconds.toFixed(2)} s = ${Math.round(result.rate)} events/s; mix ` +
        [...mix].map(([type, n]) => `${type} ${Math.round((100 * n) / events.length)}%`).join(', '),
    );

    expect(result).toMatchObject({ events: events.length, lastSeq: events.length });
    const rows: { projector: string; last_seq: string }[] = await db.query('SELECT projector, last_seq FROM projection_checkpoint');
    expect(new Map(rows.map((r) => [r.projector, Number(r.last_seq)]))).toEqual(
      new Map([...ALL_PROJECTIONS.readModels, ...ALL_PROJECTIONS.links].map((p) => [checkpointKey(p), events.length])),
    );
    const [counts] = await db.query(`SELECT (SELECT count(*)::int FROM runs) AS runs, (SELECT count(*)::int FROM audit_chain) AS chain,
      (SELECT count(*)::int FROM decisions) AS decisions`);
    expect(counts).toEqual({
      runs: 500,
      chain: events.length,
      decisions: new Set(events.flatMap((e) => (e.type === 'decision.requested' ? [e.data.decisionId] : []))).size,
    });

    const again = await replayProjections(log, db);
    expect(again.events).toBe(0);

    // The same log rebuilt by a plain Node process, as the miner runs it (Jest's module sandbox slows decoding).
    const tables = [...ALL_PROJECTIONS.readModels, ...ALL_PROJECTIONS.links].flatMap((p) => p.tables);
    const replayed = await tableRows(db, tables);
    const child = fork(path.join(__dirname, 'testing', 'rebuild.process.ts'), [], {
      env: {
        ...process.env, NATS_URL: config.natsUrl, LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot,
        DATABASE_URL: schema.databaseUrl, LOOP_DB_SCHEMA: schema.schema, REBUILD_BATCH: '5000',
      },
      execArgv: ['-r', '@swc-node/register'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const rebuilt = await new Promise<{ events: number; seconds: number; rate: number }>((resolve, reject) => {
      child.on('message', (message: { done?: number; events: number; seconds: number; rate: number }) => {
        if (message.done !== undefined) resolve(message);
      });
      child.once('exit', (code) => reject(new Error(`the rebuild process exited with ${code}`)));
    });
    console.log(`rebuild in a node process: ${rebuilt.events} events in ${rebuilt.seconds.toFixed(2)} s = ${Math.round(rebuilt.rate)} events/s`);
    expect(rebuilt.events).toBe(events.length);
    expect(await tableRows(db, tables)).toEqual(replayed);
  }, 300_000);
});
