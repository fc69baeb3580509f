import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { createTestSchema, dropTestStream, testLogConfig, TestSchema } from '@loopwright/testing';
import {
  ALL_PROJECTIONS, applyStoredBatch, auditChainProjector, checkpointKey, openDatabase, PROJECTION_MIGRATIONS, rebuildProjections,
  replayProjections, runProjector,
} from './index';
import { scenarioEvents } from './testing/scenario';
import { tableRows } from './testing/table-rows';

const TABLES = [...ALL_PROJECTIONS.readModels, ...ALL_PROJECTIONS.links].flatMap((p) => p.tables);

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function checkpoints(db: DataSource): Promise<Map<string, number>> {
  const rows: { projector: string; last_seq: string }[] = await db.query('SELECT projector, last_seq FROM projection_checkpoint');
  return new Map(rows.map((r) => [r.projector, Number(r.last_seq)]));
}

async function schemasLike(db: DataSource, prefix: string): Promise<string[]> {
  const rows: { nspname: string }[] = await db.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 || '%' ORDER BY 1`, [prefix]);
  return rows.map((r) => r.nspname);
}

describe('rebuilding projections', () => {
  let config: LogConfig;
  let log: EventLog;
  let schema: TestSchema;
  let db: DataSource;

  beforeEach(async () => {
    const base = testLogConfig('rebuild');
    config = { ...base, producer: 'miner', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    log = await EventLog.open(config);
    schema = await createTestSchema('rebuild');
    db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
  });

  afterEach(async () => {
    await log.close();
    for (const leftover of await schemasLike(db, `${schema.schema}_`)) await db.query(`DROP SCHEMA "${leftover}" CASCADE`);
    await db.destroy();
    await schema.drop();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('rebuilds from sequence 1 into tables equal row for row to the live ones, built event by event while events were appended', async () => {
    const consumers = await Promise.all(ALL_PROJECTIONS.readModels.map((projector) => runProjector(log, db, projector)));
    const events = scenarioEvents({ runs: 16, seed: 11 });
    for (let i = 0; i < events.length; i += 400) await log.appendMany(events.slice(i, i + 400));
    // The audit chain is fed raw messages, one transaction per message, as they are in the stream.
    for await (const stored of log.replay()) await applyStoredBatch(db, { readModels: [], links: [auditChainProjector] }, [stored]);
    const lastSeq = events.length;
    await until(async () => {
      const live = await checkpoints(db);
      return ALL_PROJECTIONS.readModels.every((p) => live.get(checkpointKey(p)) === lastSeq);
    }, 'the live projectors to catch up');
    await Promise.all(consumers.map((c) => c.stop()));
    const live = await tableRows(db, TABLES);
    expect(live['runs']).toHaveLength(16);
    expect(live['audit_chain']).toHaveLength(lastSeq);

    const result = await rebuildProjections(log, db, { batchSize: 1_000 });
    console.log(`rebuild: ${result.events} events in ${result.seconds.toFixed(2)} s = ${Math.round(result.rate)} events/s`);

    expect(result).toMatchObject({ generation: 1, resumed: false, swapped: true, events: lastSeq, swappedAtSeq: lastSeq });
    expect(await tableRows(db, TABLES)).toEqual(live);
    expect(await schemasLike(db, `${schema.schema}_`)).toEqual([]);
    const [state] = await db.query('SELECT status, swapped_at_seq FROM projection_rebuild WHERE generation = 1');
    expect(state).toEqual({ status: 'swapped', swapped_at_seq: String(lastSeq) });
    const windows = await db.query('SELECT sum(decisions)::int AS n FROM tier_share_window');
    const counted = await db.query(`SELECT count(*)::int AS n FROM decisions WHERE tier IS NOT NULL`);
    expect(windows[0].n).toBe(counted[0].n);
  }, 180_000);

  it('gives tier-share views equal to the last digit to the live ones, whatever order the rows lie in', async () => {
    const consumers = await Promise.all(ALL_PROJECTIONS.readModels.map((projector) => runProjector(log, db, projector)));
    const at = new Date(Date.UTC(2026, 0, 5, 9));
    const key = 'grader:engineer:gate:ran_tests_before_claim';
    const run = { aggregateId: 'r-float', occurredAt: at };
    const costs = [1e16, 1, 1];
    const ids = costs.map((_, i) => `d-${i}`);
    const events: LoopEvent[] = [
      createEvent({ type: 'goal.submitted', ...run, producer: 'submitter', data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 1 } }),
      ...ids.flatMap((decisionId) => [
        createEvent({ type: 'decision.requested', ...run, producer: 'grader', data: { decisionId, key, requester: 'grader', role: 'engineer', kind: 'gate', item: 'ran_tests_before_claim', estimatedUsd: 0.02, features: {} } }),
        createEvent({ type: 'decision.routed', ...run, producer: 'router', data: { decisionId, key, tier: 'frontier', reason: 'policy', reservedUsd: 0.02 } }),
      ]),
      // completed in the reverse order: live, each update moves its row to the end of the table
      ...ids.map((decisionId, i) => ({ decisionId, costUsd: costs[i] })).reverse().map(({ decisionId, costUsd }) =>
        createEvent({ type: 'decision.completed', ...run, producer: 'grader', data: { decisionId, key, tier: 'frontier', verdict: 'pass', confidence: 0.9, costUsd, tokens: { input: 1, output: 1 }, latencyMs: 1 } }),
      ),
    ];
    for (const event of events) await log.append(event);
    await until(async () => {
      const live = await checkpoints(db);
      return ALL_PROJECTIONS.readModels.every((p) => live.get(checkpointKey(p)) === events.length);
    }, 'the live projectors to catch up');
    await Promise.all(consumers.map((c) => c.stop()));
    const views = async () => ({
      byRun: await db.query('SELECT run_id, tier, decisions, cost_usd FROM tier_share_by_run ORDER BY 1, 2'),
      byDay: await db.query('SELECT day, tier, decisions, cost_usd FROM tier_share_by_day ORDER BY 1, 2'),
      window: await db.query('SELECT window_index, tier, decisions, cost_usd FROM tier_share_window ORDER BY 1, 2'),
    });
    const live = await views();
    await rebuildProjections(log, db, { batchSize: 1_000 });
    expect(await views()).toEqual(live);
  }, 120_000);

  it('rebuilds only the named projections, leaving the others untouched', async () => {
    await log.appendMany(scenarioEvents({ runs: 5, seed: 2 }));
    await replayProjections(log, db);
    const before = await tableRows(db, TABLES);
    await db.query(`UPDATE runs SET title = 'tampered'`);
    await db.query(`UPDATE rules SET state = 'tampered'`);
    const result = await rebuildProjections(log, db, { names: ['runs'] });
    expect(result.projectors).toEqual(['runs']);
    const after = await tableRows(db, TABLES);
    expect(after['runs']).toEqual(before['runs']);
    expect(after['rules'].every((r: any) => r.state === 'tampered')).toBe(true);
    expect(await db.query('SELECT count(*)::int AS n FROM tier_share_by_run')).toEqual([{ n: expect.any(Number) }]);
  }, 60_000);

  it('stopped through its signal leaves the generation running, and the next call resumes it', async () => {
    await log.appendMany(scenarioEvents({ runs: 3, seed: 4 }));
    await replayProjections(log, db);
    const live = await tableRows(db, TABLES);
    const stopping = new AbortController();
    stopping.abort(new Error('shutting down'));
    await expect(rebuildProjections(log, db, { signal: stopping.signal })).rejects.toThrow('shutting down');
    expect(await db.query('SELECT generation, status FROM projection_rebuild')).toEqual([{ generation: 1, status: 'running' }]);
    expect(await rebuildProjections(log, db)).toMatchObject({ generation: 1, resumed: true, swapped: true });
    expect(await tableRows(db, TABLES)).toEqual(live);
  }, 60_000);

  it('killed midway (-9) leaves the live projections serving; run again, it resumes and swaps in tables equal to the live ones', async () => {
    const events = scenarioEvents({ runs: 60, seed: 5 });
    await log.appendMany(events, 1_000);
    await replayProjections(log, db);
    const live = await tableRows(db, TABLES);

    const child: ChildProcess = fork(path.join(__dirname, 'testing', 'rebuild.process.ts'), [], {
      env: {
        ...process.env, NATS_URL: config.natsUrl, LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot,
        DATABASE_URL: schema.databaseUrl, LOOP_DB_SCHEMA: schema.schema, REBUILD_BATCH: '200',
      },
      execArgv: ['-r', '@swc-node/register'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let batches = 0;
    child.on('message', (message: { lastSeq?: number }) => {
      if (message.lastSeq !== undefined && ++batches === 3) child.kill('SIGKILL');
    });
    await exited;
    expect(batches).toBeGreaterThanOrEqual(3);

    const [pending] = await db.query(`SELECT generation, status, target_schema FROM projection_rebuild`);
    expect(pending).toMatchObject({ generation: 1, status: 'running' });
    const partial: { projector: string; last_seq: string }[] = await db.query(
      `SELECT projector, last_seq FROM "${pending.target_schema}".projection_checkpoint`,
    );
    expect(Math.max(...partial.map((r) => Number(r.last_seq)))).toBeLessThan(events.length);
    expect(await tableRows(db, TABLES)).toEqual(live);
    expect((await db.query('SELECT count(*)::int AS n FROM runs'))[0].n).toBe(60);

    const result = await rebuildProjections(log, db, { batchSize: 1_000 });
    expect(result).toMatchObject({ generation: 1, resumed: true, swapped: true, swappedAtSeq: events.length });
    expect(result.events).toBeLessThan(events.length);
    expect(await tableRows(db, TABLES)).toEqual(live);
    expect(await schemasLike(db, `${schema.schema}_`)).toEqual([]);
  }, 120_000);
});
