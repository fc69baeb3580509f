import { createEvent, EventDataInput, LoopEvent } from '@loopwright/events';
import { ALL_PROJECTIONS, rebuildProjections } from '@loopwright/projections';
import { startProjections } from './start-projections';
import { again } from '../testing/replayed-event';
import { useProjectionSuite } from '../testing/use-projection-suite';

const RUN = 'r-replayed';
const KEY = 'grader:engineer:gate:ran_tests_before_claim';
let minute = 0;
/** Each event a minute after the one before; a replay in order comes a day after its original, so a row that took the replay's time would show. */
const next = (): Date => new Date(Date.UTC(2026, 0, 5, 9, minute++));

const dayLater = (event: LoopEvent): Date => new Date(Date.parse(event.occurredAt) + 24 * 3600_000);

const ruleEvent = <T extends 'rule.proposed' | 'rule.validated' | 'rule.rejected' | 'rule.approved' | 'rule.promoted' | 'rule.demoted'>(
  type: T, data: EventDataInput<T>,
): LoopEvent =>
  createEvent({
    type, aggregateId: (data as { ruleId: string }).ruleId, producer: type === 'rule.approved' ? 'submitter' : 'miner', occurredAt: next(), data,
  } as Parameters<typeof createEvent>[0]);

const proposed = (ruleId: string) =>
  ruleEvent('rule.proposed', {
    ruleId, kind: 'deterministic', key: KEY, role: 'engineer', predicate: { feature: 'ran_tests', eq: true },
    verdictWhenTrue: 'pass', verdictWhenFalse: 'fail', evidence: { support: 40, precision: 0.97, recall: 0.9, exampleEventIds: [] }, scopeCall: false,
  });
const validated = (ruleId: string, shadow?: { agreement: number; n: number }) =>
  ruleEvent('rule.validated', {
    ruleId, golden: { checked: 12, changed: [] }, history: { precision: 0.97, recall: 0.9, n: 40 }, ...(shadow ? { shadow } : {}),
  });
const approved = (ruleId: string) => ruleEvent('rule.approved', { ruleId, by: 'ana', note: 'looks right' });
const promoted = (ruleId: string) => ruleEvent('rule.promoted', { ruleId, key: KEY, tier: 'deterministic', spotCheckRate: 0.1 });
const rejected = (ruleId: string) => ruleEvent('rule.rejected', { ruleId, by: 'miner', reason: 'golden example changed', failedExamples: [] });
const demoted = (ruleId: string) => ruleEvent('rule.demoted', { ruleId, key: KEY, reason: 'drift', disagreement: 0.3, n: 20 });

const event = (spec: Record<string, unknown>): LoopEvent => createEvent({ occurredAt: next(), ...spec } as Parameters<typeof createEvent>[0]);

const submitted = (runId: string) =>
  event({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
    data: { goalId: runId, title: 'g', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 1, backend: 'local' },
  });
const taskStarted = (runId: string, iteration: number) =>
  event({
    type: 'task.started', aggregateId: runId, producer: 'executor',
    data: { taskId: `${runId}-engineer`, role: 'engineer', iteration, allowedPaths: ['src/**'], maxTurns: 10 },
  });
const requested = (runId: string, reviewId: string) =>
  event({
    type: 'review.requested', aggregateId: reviewId, producer: 'executor',
    data: { reviewId, runId, taskId: `${runId}-engineer`, reason: 'budget', summary: 'over budget', items: ['raise it?'] },
  });
const resolved = (reviewId: string) => event({ type: 'review.resolved', aggregateId: reviewId, producer: 'submitter', data: { reviewId, resolution: 'retry', by: 'ana' } });

/**
 * Each rule's life once, in the order the miner and a person move it, and the other facts the
 * read models keep: a run held for a review and resumed, a rubric calibration, a resident model's
 * training and a standing instruction (which no read model keeps).
 */
function lifecycles() {
  const r = {
    validatedOnce: [proposed('rule-v'), validated('rule-v')],
    shadowed: [proposed('rule-s'), validated('rule-s'), validated('rule-s', { agreement: 0.95, n: 20 }), approved('rule-s')],
    promoted: [proposed('rule-p'), validated('rule-p'), approved('rule-p'), promoted('rule-p')],
    rejected: [proposed('rule-x'), rejected('rule-x')],
    demoted: [proposed('rule-d'), validated('rule-d'), promoted('rule-d'), demoted('rule-d')],
  };
  const run = [submitted(RUN), taskStarted(RUN, 1)];
  const reviewRequested = requested(RUN, 'rv-1');
  const reviewResolved = resolved('rv-1');
  const calibrated = event({
    type: 'rubric.calibrated', aggregateId: 'engineer-behavior', producer: 'grader',
    data: {
      calibrationId: 'cal-1', rubricId: 'engineer-behavior', rubricVersion: 1, runs: 30, samples: 30, passed: { n: 20, mean: 0.8 },
      failed: { n: 10, mean: 0.4 }, separation: 0.4, minRuns: 20, minSeparation: 0.2, gating: true, reason: 'separates',
    },
  });
  const trained = event({
    type: 'resident.trained', aggregateId: 'model-1', producer: 'miner',
    data: { modelId: 'model-1', key: KEY, artifactDigest: 'a'.repeat(64), trainedOn: 200, accuracy: 0.93, calibrationError: 0.04 },
  });
  const instruction = event({
    type: 'instruction.proposed', aggregateId: 'ins-1', producer: 'miner',
    data: { instructionId: 'ins-1', role: 'engineer', text: 'run the tests before claiming done', evidence: { support: 5, precision: 1, recall: 0.5, exampleEventIds: [] } },
  });
  return { r, run, reviewRequested, reviewResolved, calibrated, trained, instruction };
}

/** Every row of every read model (the audit chain, which hashes every message, apart). */
async function readModels(db: { query(sql: string): Promise<{ row: unknown }[]> }): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of ALL_PROJECTIONS.readModels.flatMap((p) => p.tables)) {
    snapshot[table] = (await db.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY to_jsonb(t)::text`)).map((r) => r.row);
  }
  return snapshot;
}

function differingTables(after: Record<string, unknown[]>, before: Record<string, unknown[]>): string[] {
  return Object.keys(before).filter((table) => JSON.stringify(after[table]) !== JSON.stringify(before[table]));
}

/**
 * The rule, review, calibration, training and instruction events delivered again under new ids,
 * in order and out of it (a validation after the promotion, a request after its resolution): the
 * read models stay what one delivery of each made them, live and rebuilt.
 */
describe('the miner’s projections and lifecycle events replayed under new ids', () => {
  const suite = useProjectionSuite('miner_replayed_lifecycle');

  /** Once the live runner has applied `lastSeq`, and again after a rebuild from seq 1, the read models are `single`. */
  async function expectAsOneDelivery(lastSeq: number, single: Record<string, unknown[]>): Promise<void> {
    await suite.running!.waitFor(lastSeq);
    const replayed = await readModels(suite.db);
    expect(differingTables(replayed, single)).toEqual([]);
    expect(replayed).toEqual(single);

    await suite.running!.stop();
    suite.running = undefined;
    await rebuildProjections(suite.log, suite.db);
    expect(await readModels(suite.db)).toEqual(single);
  }

  it('keeps every read model as one delivery of each event left it', async () => {
    suite.running = await startProjections(suite.log, suite.db, { onError: (e) => console.error(e) });
    const { r, run, reviewRequested, reviewResolved, calibrated, trained, instruction } = lifecycles();
    const once = [
      ...run, reviewRequested, reviewResolved, ...r.validatedOnce, ...r.shadowed, ...r.promoted, ...r.rejected, ...r.demoted,
      calibrated, trained, instruction,
    ];
    const first = await suite.log.appendMany(once);
    await suite.running.waitFor(first[first.length - 1].seq);
    const single = await readModels(suite.db);

    expect(single['rule_validations'].map((v) => (v as { rule_id: string }).rule_id).sort()).toEqual(['rule-d', 'rule-p', 'rule-s', 'rule-s', 'rule-v']);
    expect(await suite.db.query('SELECT rule_id, state FROM rules ORDER BY rule_id')).toEqual([
      { rule_id: 'rule-d', state: 'demoted' }, { rule_id: 'rule-p', state: 'promoted' }, { rule_id: 'rule-s', state: 'approved' },
      { rule_id: 'rule-v', state: 'validated' }, { rule_id: 'rule-x', state: 'rejected' },
    ]);
    expect(await suite.db.query('SELECT status, open_review_id, iterations FROM runs')).toEqual([{ status: 'running', open_review_id: null, iterations: 1 }]);
    expect(await suite.db.query('SELECT status, resolution FROM reviews')).toEqual([{ status: 'resolved', resolution: 'retry' }]);
    expect(await suite.db.query('SELECT count(*)::int AS n FROM rubric_calibrations')).toEqual([{ n: 1 }]);

    const replays = await suite.log.appendMany([
      // each step again, in order, a day later
      ...[...r.validatedOnce, ...r.shadowed, ...r.promoted, ...r.rejected, ...r.demoted].map((e) => again(e, dayLater(e))),
      // and stale, after the rule moved on: a validation after the promotion, the demotion and the rejection; a promotion after the demotion
      again(r.promoted[1]), again(r.demoted[1]), again(r.demoted[2]), again(r.rejected[0]), validated('rule-x'),
      // the review's resolution again, then its request after it
      again(reviewResolved), again(reviewRequested), again(calibrated), again(trained), again(instruction),
    ]);
    await expectAsOneDelivery(replays[replays.length - 1].seq, single);
  });

  it('keeps a run and its task as one delivery of their failure, review, retry and completion left them', async () => {
    suite.running = await startProjections(suite.log, suite.db, { onError: (e) => console.error(e) });
    const runId = 'r-held';
    const task = { taskId: `${runId}-engineer`, role: 'engineer' };
    const failed = event({ type: 'task.failed', aggregateId: runId, producer: 'executor', data: { ...task, iterations: 1, reason: 'handed to a person', reviewId: 'rv-2' } });
    const completed = event({ type: 'task.completed', aggregateId: runId, producer: 'executor', data: { ...task, iterations: 2, gradeId: 'g-2', overall: 0.9 } });
    const first = await suite.log.appendMany([submitted(runId), taskStarted(runId, 1), failed, requested(runId, 'rv-2'), resolved('rv-2'), taskStarted(runId, 2), completed]);
    await suite.running.waitFor(first[first.length - 1].seq);
    const single = await readModels(suite.db);
    expect(await suite.db.query('SELECT status, open_review_id, iterations FROM runs WHERE run_id = $1', [runId])).toEqual([{ status: 'completed', open_review_id: null, iterations: 2 }]);
    expect(await suite.db.query('SELECT status, iteration FROM tasks WHERE run_id = $1', [runId])).toEqual([{ status: 'completed', iteration: 2 }]);

    // the first iteration's failure again after the retry completed, and the completion again a day later
    const replays = await suite.log.appendMany([again(failed, dayLater(failed)), again(completed, dayLater(completed))]);
    await expectAsOneDelivery(replays[replays.length - 1].seq, single);
  });
});
