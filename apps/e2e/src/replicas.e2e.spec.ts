import { remainingMicros, reservedMicros } from '@loopwright/eventlog';
import { createTestSchema, databaseUrl, TestSchema } from '@loopwright/testing';
import { InnerLoopHarness, NO_DEFECTS, ofType, SeqEvent, until, within, writeWorkload } from './harness';

const RUNS = 8;
const GOALS = ['greet', 'palindrome', 'max-of', 'celsius'];
const BUDGET_USD = 5;
const QUIET_MS = 20_000;

/** A pass a miner printed (LOOP_MINER_VERBOSE=1): who held the pass lease, and when it ran. */
function passesIn(output: string): { holder: string; from: number; to: number }[] {
  return [...output.matchAll(/miner: pass by (\S+) from (\d+) to (\d+)/g)].map((m) => ({ holder: m[1], from: Number(m[2]), to: Number(m[3]) }));
}

/**
 * Two replicas of every service at once (executor, grader, router, miner as processes), sharing each
 * durable consumer, the budget ledger and the miner's pass lease, with simulated runs through them.
 */
describe('two replicas of every service, end to end (sim models)', () => {
  let harness: InnerLoopHarness;
  let schema: TestSchema;
  const runIds = Array.from({ length: RUNS }, (_, i) => `run-replica-${i + 1}`);
  const runs = new Map<string, SeqEvent[]>();
  let closing = false;

  beforeAll(async () => {
    schema = await createTestSchema('replicas');
    harness = await InnerLoopHarness.open('replicas', {
      DATABASE_URL: databaseUrl(),
      LOOP_DB_SCHEMA: schema.schema,
      LOOP_SIM_WORKLOAD: writeWorkload({ defects: NO_DEFECTS }),
      LOOP_MINER_PASS_MS: '1000',
      // long enough that a replica stalled by a loaded machine keeps its lease (the take-over is lease.int.spec.ts's)
      LOOP_MINER_LEASE_TTL_MS: '20000',
      LOOP_MINER_LEASE_RENEW_MS: '1000',
      LOOP_MINER_VERBOSE: '1',
    });
    const t0 = Date.now();
    await Promise.all((['router', 'executor', 'grader', 'miner'] as const).map((name) => harness.startReplicas(name, 2)));
    console.log(`replicas started in ${Date.now() - t0} ms`);
    for (const [i, runId] of runIds.entries()) await harness.submit(runId, GOALS[i % GOALS.length], { budgetUsd: BUDGET_USD });
    // every run ends, or the log goes quiet (nothing appended for QUIET_MS: a run that can no longer move), within 180 s
    let quietSince = { seq: -1, at: Date.now() };
    await within(
      until(async () => {
        if (closing) return true;
        for (const runId of runIds.filter((id) => !runs.has(id))) {
          const events = await harness.log.readRun(runId);
          if (events.some((e) => e.type === 'run.ended')) runs.set(runId, events);
        }
        if (runs.size === RUNS) return true;
        const { state } = await harness.log.jsm.streams.info(harness.config.streamName);
        if (state.last_seq !== quietSince.seq) quietSince = { seq: state.last_seq, at: Date.now() };
        return Date.now() - quietSince.at > QUIET_MS ? true : undefined;
      }),
      180_000,
    );
    console.log(`${runs.size} of ${RUNS} runs ended ${Date.now() - t0} ms after the start`);
    for (const runId of runIds.filter((id) => !runs.has(id))) {
      const events = await harness.log.readRun(runId);
      const count = (type: string) => events.filter((e) => e.type === type).length;
      console.error(`${runId} has not ended: ${['decision.requested', 'decision.completed', 'work.produced', 'grade.recorded'].map((t) => `${count(t)} ${t}`).join(', ')}`);
    }
  }, 420_000);

  afterAll(async () => {
    closing = true;
    await harness?.close();
    await schema?.drop();
  });

  it('ends every run', () => {
    expect(runIds.filter((id) => !runs.has(id))).toEqual([]);
    for (const events of runs.values()) expect(ofType(events, 'run.ended')).toHaveLength(1);
  });

  /** Every run's events as they stand (ended or not). */
  const latest = async () => new Map(await Promise.all(runIds.map(async (id) => [id, runs.get(id) ?? (await harness.log.readRun(id))] as const)));
  const counted = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());

  it('routes each decision once and completes it once (never twice; once each in an ended run)', async () => {
    for (const [runId, events] of await latest()) {
      const requested = ofType(events, 'decision.requested').map((e) => e.data.decisionId);
      const routed = counted(ofType(events, 'decision.routed').map((e) => e.data.decisionId));
      const completed = counted(ofType(events, 'decision.completed').filter((e) => !e.data.shadow).map((e) => e.data.decisionId));
      expect(requested.length).toBeGreaterThan(0);
      expect(new Set(requested).size).toBe(requested.length);
      expect([...routed.values(), ...completed.values()].filter((n) => n > 1)).toEqual([]);
      if (runs.has(runId)) expect(requested.map((id) => [id, routed.get(id), completed.get(id)])).toEqual(requested.map((id) => [id, 1, 1]));
    }
  });

  it('grades each work once', async () => {
    for (const events of (await latest()).values()) {
      const works = ofType(events, 'work.produced').map((e) => e.data.workId);
      const grades = ofType(events, 'grade.recorded').map((e) => e.data.workId);
      expect(works.length).toBeGreaterThan(0);
      expect([...grades].sort()).toEqual([...works].sort());
    }
  });

  it('spends no budget past its limit, by the log and by the ledger', async () => {
    const ledger = await harness.log.budgets();
    for (const [runId, events] of await latest()) {
      const spent = ofType(events, 'decision.completed').reduce((sum, e) => sum + e.data.costUsd, 0);
      expect(spent).toBeLessThanOrEqual(BUDGET_USD);
      const account = (await ledger.goal(runId))!;
      expect(remainingMicros(account)).toBeGreaterThanOrEqual(0);
      if (runs.has(runId)) expect(reservedMicros(account)).toBe(0);
    }
  });

  it('never runs two miner passes at once', () => {
    const passes = ['miner-1', 'miner-2'].flatMap((key) => passesIn(harness.services.get(key)!.output())).sort((a, b) => a.from - b.from);
    console.log(`miner passes: ${passes.length}, by ${new Set(passes.map((p) => p.holder)).size} holder(s)`);
    expect(passes.length).toBeGreaterThan(1);
    expect(passes.slice(1).filter((pass, i) => pass.from < passes[i].to)).toEqual([]);
  });
});
