import type { DataSource } from 'typeorm';
import { createEvent, LoopEvent } from '@loopwright/events';
import { chainHashes, chainLinks, EventLog, LogConfig } from '@loopwright/eventlog';
import { ALL_PROJECTIONS, openDatabase, PROJECTION_MIGRATIONS, rebuildProjections, replayProjections } from '@loopwright/projections';
import { createTestSchema, dropTestStream, testLogConfig, TestSchema } from '@loopwright/testing';
import {
  correctionsByKey, decisionsForKey, reviewsList, ruleDetail, rulesList, runDetail, runsList, tierShareByDay, tierShareByWindow,
} from '@loopwright/projections';
import { RunningProjections, startProjections } from './start-projections';

const KEY = 'grader:engineer:gate:ran_tests_before_claim';
const day = (d: number, minute = 0) => new Date(Date.UTC(2026, 0, d, 9, minute));

function goal(runId: string, when: Date, backend: 'sim' | 'local' = 'local'): LoopEvent {
  return createEvent({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter', occurredAt: when,
    data: { goalId: runId, title: `Goal ${runId}`, description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 1, backend },
  });
}

function decision(runId: string, id: string, tier: 'frontier' | 'resident' | 'deterministic', costUsd: number, when: Date, shadowVerdict?: string): LoopEvent[] {
  const run = { aggregateId: runId };
  return [
    createEvent({
      type: 'decision.requested', ...run, producer: 'grader', occurredAt: when,
      data: { decisionId: id, key: KEY, requester: 'grader', role: 'engineer', kind: 'gate', item: 'ran_tests_before_claim', estimatedUsd: 0.02, features: { test_runs: 0, claims_tests_pass: true } },
    }),
    createEvent({ type: 'decision.routed', ...run, producer: 'router', occurredAt: when, data: { decisionId: id, key: KEY, tier, reason: 'policy', reservedUsd: costUsd, shadow: shadowVerdict !== undefined } }),
    createEvent({
      type: 'decision.completed', ...run, producer: 'grader', occurredAt: when,
      data: { decisionId: id, key: KEY, tier, verdict: 'fail', confidence: 0.9, costUsd, tokens: { input: 10, output: 2 }, latencyMs: 5 },
    }),
    ...(shadowVerdict
      ? [createEvent({
          type: 'decision.completed', ...run, producer: 'grader', occurredAt: when,
          data: { decisionId: id, key: KEY, tier: 'frontier', verdict: shadowVerdict, confidence: 0.95, costUsd: 0.05, tokens: { input: 10, output: 2 }, latencyMs: 900, shadow: true },
        })]
      : []),
  ];
}

function grade(runId: string, iteration: number, delta: string): LoopEvent {
  return createEvent({
    type: 'grade.recorded', aggregateId: runId, producer: 'grader',
    data: {
      gradeId: `${runId}-g${iteration}`, workId: `${runId}-w${iteration}`, taskId: `${runId}-engineer`, role: 'engineer', iteration, passed: false, overall: 0.3,
      rubrics: [{
        rubricId: 'engineer-output', rubricVersion: 1, surface: 'output',
        gates: [{ id: 'ran_tests_before_claim', passed: false, evidence: 'no test run', tier: 'deterministic', severity: 'critical' }],
        dimensions: [{ id: 'clarity', score: 5, evidence: 'clear', reasoning: 'r', tier: 'frontier' }],
        notScored: [],
        toReachNext: [{ id: 'ran_tests_before_claim', current: false, target: true, delta, owner: 'executor', fixType: 'local' }],
        weightedAvg: 2, overall: 0.3, capsApplied: [], passed: false,
      }],
      rerun: { command: 't', exitCode: 1, output: '' }, costUsd: 0.01,
    },
  });
}

describe('the miner’s live projections and their queries', () => {
  let config: LogConfig;
  let log: EventLog;
  let schema: TestSchema;
  let db: DataSource;
  let running: RunningProjections | undefined;

  beforeEach(async () => {
    const base = testLogConfig('miner_projections');
    config = { ...base, producer: 'miner', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    log = await EventLog.open(config);
    schema = await createTestSchema('miner_projections');
    db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await log.close();
    await db.destroy();
    await schema.drop();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  async function appendAll(events: LoopEvent[]): Promise<number> {
    const results = await log.appendMany(events);
    return results[results.length - 1].seq;
  }

  it('keeps every read model live and answers the reads the console, CLI and miner need', async () => {
    running = await startProjections(log, db, { onError: (e) => console.error(e) });
    const first = await appendAll([
      goal('r-1', day(5)), goal('r-2', day(5, 30), 'sim'),
      ...decision('r-1', 'd-1', 'frontier', 0.04, day(5)),
      ...decision('r-1', 'd-2', 'frontier', 0.06, day(5)),
      ...decision('r-2', 'd-3', 'deterministic', 0, day(6), 'pass'),
      grade('r-1', 1, 'Run the 3 tests before claiming they pass'),
      grade('r-2', 1, 'run the  12 tests before claiming they pass'),
    ]);
    await running.waitFor(first);
    const last = await appendAll([
      goal('r-3', day(6)),
      ...decision('r-3', 'd-4', 'resident', 0.001, day(6)),
      createEvent({ type: 'review.requested', aggregateId: 'rv-1', producer: 'grader', data: { reviewId: 'rv-1', runId: 'r-3', reason: 'tier-ceiling', summary: 'scope call', items: ['spec'] } }),
      createEvent({ type: 'rule.proposed', aggregateId: 'rule-1', producer: 'miner', data: { ruleId: 'rule-1', kind: 'deterministic', key: KEY, role: 'engineer', predicate: { feature: 'test_runs', eq: 0 }, verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', evidence: { support: 2, precision: 1, recall: 1, exampleEventIds: [] }, scopeCall: false } }),
      createEvent({ type: 'rule.validated', aggregateId: 'rule-1', producer: 'miner', data: { ruleId: 'rule-1', golden: { checked: 4, changed: [] }, history: { precision: 1, recall: 1, n: 2 }, shadow: { agreement: 1, n: 1 } } }),
    ]);
    await running.waitFor(last);

    expect(await tierShareByWindow(db, 2)).toEqual([
      expect.objectContaining({
        window: 1, firstRunOrdinal: 1, lastRunOrdinal: 2, runs: 2, decisions: 3, frontierShare: 2 / 3,
        tiers: expect.objectContaining({ frontier: { decisions: 2, costUsd: 0.1 }, deterministic: { decisions: 1, costUsd: 0 }, resident: { decisions: 0, costUsd: 0 } }),
      }),
      expect.objectContaining({ window: 2, firstRunOrdinal: 3, lastRunOrdinal: 4, runs: 1, decisions: 1, frontierShare: 0 }),
    ]);
    expect((await tierShareByWindow(db))[0]).toMatchObject({ window: 1, decisions: 4, frontierShare: 0.5 });
    expect((await tierShareByDay(db)).map((d) => [d.day, d.decisions])).toEqual([['2026-01-05', 2], ['2026-01-06', 2]]);

    expect((await runsList(db)).map((r) => [r.runId, r.runOrdinal, r.simulated])).toEqual([['r-3', 3, false], ['r-2', 2, true], ['r-1', 1, false]]);
    const r1 = await runDetail(db, 'r-1');
    expect(r1).toMatchObject({ run: { runId: 'r-1', costUsd: 0.1, status: 'submitted' }, decisionsByTier: { frontier: 2 } });
    expect(r1?.grades[0].items).toEqual([
      expect.objectContaining({ kind: 'gate', itemId: 'ran_tests_before_claim', passed: false, toReachNext: expect.objectContaining({ fixType: 'local' }) }),
      expect.objectContaining({ kind: 'dimension', itemId: 'clarity', passed: true, toReachNext: null }),
    ]);
    expect(await runDetail(db, 'nope')).toBeUndefined();
    expect((await runDetail(db, 'r-3'))?.run.status).toBe('review');

    expect(await decisionsForKey(db, KEY)).toEqual([
      expect.objectContaining({ decisionId: 'd-1', tier: 'frontier', verdict: 'fail', features: { test_runs: 0, claims_tests_pass: true } }),
      expect.objectContaining({ decisionId: 'd-2' }),
      expect.objectContaining({ decisionId: 'd-3', tier: 'deterministic', shadowTier: 'frontier', shadowVerdict: 'pass' }),
      expect.objectContaining({ decisionId: 'd-4', tier: 'resident' }),
    ]);
    const d3Seq = (await decisionsForKey(db, KEY))[2].requestedSeq as number;
    expect((await decisionsForKey(db, KEY, { tier: 'frontier' })).map((d) => d.decisionId)).toEqual(['d-1', 'd-2']);
    expect((await decisionsForKey(db, KEY, { sinceSeq: d3Seq - 1 })).map((d) => d.decisionId)).toEqual(['d-3', 'd-4']);

    expect(await correctionsByKey(db)).toEqual([{
      decisionKey: KEY, total: 2,
      signatures: [expect.objectContaining({ count: 2, deltaNormalized: 'run the # tests before claiming they pass', exampleEventIds: expect.any(Array) })],
    }]);
    expect((await correctionsByKey(db, { key: KEY }))[0].signatures[0].exampleEventIds).toHaveLength(2);

    expect(await reviewsList(db, { status: 'open' })).toEqual([expect.objectContaining({ reviewId: 'rv-1', runId: 'r-3', items: ['spec'] })]);
    expect(await rulesList(db, { state: 'validated' })).toEqual([expect.objectContaining({ ruleId: 'rule-1', key: KEY })]);
    expect(await ruleDetail(db, 'rule-1')).toMatchObject({
      state: 'validated', validations: [{ goldenChecked: 4, history: { precision: 1, recall: 1, n: 2 }, shadow: { agreement: 1, n: 1 } }],
    });
  }, 60_000);

  it('two miner replicas projecting the same log into the same tables: applied twice, updated once', async () => {
    const otherDb = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
    const other = await startProjections(log, otherDb, { batchSize: 3 });
    try {
      running = await startProjections(log, db, { batchSize: 5 });
      let last = 0;
      for (let i = 1; i <= 6; i++) {
        last = await appendAll([goal(`r-${i}`, day(5)), ...decision(`r-${i}`, `d-${i}`, 'frontier', 0.01, day(5)), grade(`r-${i}`, 1, 'Run the 3 tests before claiming they pass')]);
      }
      await Promise.all([running.waitFor(last), other.waitFor(last)]);

      expect((await runsList(db)).map((r) => r.runOrdinal).sort()).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await decisionsForKey(db, KEY)).map((d) => d.decisionId)).toEqual(['d-1', 'd-2', 'd-3', 'd-4', 'd-5', 'd-6']);
      expect((await correctionsByKey(db))[0]).toMatchObject({ total: 6, signatures: [expect.objectContaining({ count: 6 })] });
      expect((await tierShareByDay(db)).map((d) => [d.day, d.decisions])).toEqual([['2026-01-05', 6]]);
      expect((await runDetail(db, 'r-1'))?.run.costUsd).toBe(0.01);
      const links = [];
      for await (const link of chainLinks(log)) links.push(link);
      const rows: { seq: string; chain_hash: string }[] = await db.query('SELECT seq, chain_hash FROM audit_chain ORDER BY seq');
      expect(rows.map((r) => [Number(r.seq), r.chain_hash])).toEqual([...chainHashes(links)]);
    } finally {
      await other.stop();
      await otherDb.destroy();
    }
  }, 60_000);

  it('chains every message, a malformed one included, exactly as the audit verifier recomputes it', async () => {
    running = await startProjections(log, db);
    await appendAll([goal('r-1', day(5)), ...decision('r-1', 'd-1', 'frontier', 0.01, day(5))]);
    await log.js.publish(`${config.subjectRoot}.run.r-1.executor.trace.step`, new TextEncoder().encode('{"not":"an event"}'));
    const last = await appendAll(decision('r-1', 'd-2', 'resident', 0.001, day(5)));
    await running.waitFor(last);

    const links = [];
    for await (const link of chainLinks(log)) links.push(link);
    const rows: { seq: string; chain_hash: string }[] = await db.query('SELECT seq, chain_hash FROM audit_chain ORDER BY seq');
    expect(rows.map((r) => [Number(r.seq), r.chain_hash])).toEqual([...chainHashes(links)]);
    expect(rows).toHaveLength(last);
    expect((await decisionsForKey(db, KEY)).map((d) => d.decisionId)).toEqual(['d-1', 'd-2']);
  }, 60_000);

  it('goes on applying after a rebuild swaps in tables behind it, and resumes a rebuild a killed process left', async () => {
    running = await startProjections(log, db);
    await running.waitFor(await appendAll([goal('r-1', day(5)), ...decision('r-1', 'd-1', 'frontier', 0.01, day(5))]));
    await rebuildProjections(log, db, { names: ['decisions'] });
    // The rebuilt checkpoint is put back to where the rebuild stopped; the runner must not skip what follows.
    await db.query(`UPDATE projection_checkpoint SET last_seq = 1 WHERE projector = 'decisions@v1'`);
    await db.query(`DELETE FROM decisions`);
    const last = await appendAll(decision('r-1', 'd-2', 'resident', 0.001, day(5)));
    await running.waitFor(last);
    expect((await decisionsForKey(db, KEY)).map((d) => d.decisionId)).toEqual(['d-1', 'd-2']);
    await running.stop();

    await db.query(`INSERT INTO projection_rebuild (generation, projectors, target_schema, status) VALUES (7, '["runs"]', $1, 'running')`, [
      `${schema.schema}_rebuild_7`,
    ]);
    await db.query(`UPDATE runs SET title = 'stale'`);
    running = await startProjections(log, db);
    expect(await running.rebuild).toMatchObject({ generation: 7, resumed: true, projectors: ['runs'] });
    expect((await runsList(db))[0].title).toBe('Goal r-1');
  }, 60_000);

  it('a rebuild run while events keep arriving swaps in tables at the live position, losing nothing', async () => {
    running = await startProjections(log, db);
    await appendAll([goal('r-0', day(5)), ...decision('r-0', 'd-0', 'frontier', 0.01, day(5))]);
    let appending = true;
    const appender = (async () => {
      for (let i = 1; appending || i < 5; i++) {
        await appendAll([goal(`r-${i}`, day(5, i)), ...decision(`r-${i}`, `d-${i}`, 'resident', 0.001, day(5, i)), grade(`r-${i}`, 1, `Fix ${i} things`)]);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const result = await rebuildProjections(log, db, { batchSize: 20 });
    appending = false;
    await appender;
    expect(result.swapped).toBe(true);
    const last = (await log.jsm.streams.info(config.streamName)).state.last_seq;
    await running.waitFor(last);

    const fresh = await createTestSchema('miner_projections_fresh');
    const freshDb = await openDatabase({ url: fresh.databaseUrl, schema: fresh.schema }, PROJECTION_MIGRATIONS);
    try {
      await replayProjections(log, freshDb);
      for (const table of [...ALL_PROJECTIONS.readModels, ...ALL_PROJECTIONS.links].flatMap((p) => p.tables)) {
        const sorted = `SELECT * FROM ${table} ORDER BY (${table}.*)::text`;
        expect([table, await db.query(sorted)]).toEqual([table, await freshDb.query(sorted)]);
      }
    } finally {
      await freshDb.destroy();
      await fresh.drop();
    }
  }, 60_000);
});
