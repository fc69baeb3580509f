import type { DataSource } from 'typeorm';
import { createEvent, LoopEvent, uuidv7 } from '@loopwright/events';
import { chainHashes, encodeEvent, StoredEvent, toStoredEvent } from '@loopwright/eventlog';
import { createTestSchema, TestSchema } from '@loopwright/testing';
import {
  ALL_PROJECTIONS, applyBatch, applyStoredBatch, auditChainProjector, budgetsProjector, correctionsProjector, decisionsProjector,
  gradesProjector, latestRubricCalibrations, openDatabase, PROJECTION_MIGRATIONS, ReadModel, readCheckpoint, reviewsProjector, rubricCalibrationsProjector,
  rulesProjector, runsProjector, SequencedEvent, tasksProjector,
} from './index';
import { scenarioEvents } from './testing/scenario';
import { tableRows } from './testing/table-rows';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 8, minute));

function sequenced(events: LoopEvent[], firstSeq = 1): SequencedEvent[] {
  return events.map((event, i) => ({ seq: firstSeq + i, event }));
}

function decisionEvents(runId: string, decisionId: string, shadow: boolean): LoopEvent[] {
  const run = { aggregateId: runId };
  const key = 'grader:engineer:gate:ran_tests_before_claim';
  return [
    createEvent({
      type: 'decision.requested', ...run, producer: 'grader', occurredAt: at(1),
      data: {
        decisionId, key, requester: 'grader', role: 'engineer', kind: 'gate', item: 'ran_tests_before_claim', estimatedUsd: 0.02,
        features: { test_runs: 0, claims_tests_pass: true },
      },
    }),
    createEvent({ type: 'decision.routed', ...run, producer: 'router', occurredAt: at(2), data: { decisionId, key, tier: 'deterministic', reason: 'rule', ruleId: 'r-1', reservedUsd: 0, shadow } }),
    createEvent({
      type: 'decision.completed', ...run, producer: 'grader', occurredAt: at(3),
      data: { decisionId, key, tier: 'deterministic', verdict: 'fail', confidence: 1, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 1, ruleId: 'r-1' },
    }),
    ...(shadow
      ? [createEvent({
          type: 'decision.completed', ...run, producer: 'grader', occurredAt: at(4),
          data: { decisionId, key, tier: 'frontier', verdict: 'pass', confidence: 0.8, costUsd: 0.04, tokens: { input: 900, output: 90 }, latencyMs: 1500, shadow: true },
        })]
      : []),
  ];
}

describe('read models', () => {
  let schema: TestSchema;
  let db: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('read_models');
    db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
  });

  afterAll(async () => {
    await db?.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    const tables = [...ALL_PROJECTIONS.readModels, ...ALL_PROJECTIONS.links].flatMap((p) => p.tables);
    await db.query(`TRUNCATE ${tables.join(', ')}, projection_checkpoint`);
  });

  /** Applies the events, then the same events again (a redelivery): the second pass must change nothing. */
  async function appliedTwice(projector: ReadModel, events: SequencedEvent[]): Promise<Record<string, unknown[]>> {
    expect(await applyBatch(db, projector, events)).toBeGreaterThan(0);
    const once = await tableRows(db, projector.tables);
    expect(await applyBatch(db, projector, events)).toBe(0);
    for (const item of events) await applyBatch(db, projector, [item]);
    expect(await tableRows(db, projector.tables)).toEqual(once);
    expect(await readCheckpoint(db, projector)).toBe(events[events.length - 1].seq);
    return once;
  }

  it('runs: ordinal by goal.submitted order, status through the pipeline, cost from decisions; applied twice, updated once', async () => {
    const goal = (runId: string, minute: number, backend: 'sim' | 'local') =>
      createEvent({
        type: 'goal.submitted', aggregateId: runId, producer: 'submitter', occurredAt: at(minute),
        data: { goalId: runId, title: `Goal ${runId}`, description: 'd', roles: ['architect', 'engineer'], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 3, backend },
      });
    const started = (runId: string, role: 'architect' | 'engineer', iteration: number) =>
      createEvent({ type: 'task.started', aggregateId: runId, producer: 'executor', occurredAt: at(10 + iteration), data: { taskId: `${runId}-${role}`, role, iteration, allowedPaths: ['src/**'], maxTurns: 5 } });
    const completed = (runId: string, role: 'architect' | 'engineer') =>
      createEvent({ type: 'task.completed', aggregateId: runId, producer: 'executor', occurredAt: at(30), data: { taskId: `${runId}-${role}`, role, iterations: 2, gradeId: 'g', overall: 0.9 } });
    const events = sequenced([
      goal('r-b', 0, 'sim'),
      goal('r-a', 1, 'local'),
      goal('r-b', 2, 'sim'),
      started('r-b', 'architect', 1),
      started('r-b', 'architect', 2),
      ...decisionEvents('r-b', 'd-1', true),
      completed('r-b', 'architect'),
      started('r-b', 'engineer', 1),
      completed('r-b', 'engineer'),
      started('r-a', 'architect', 1),
      createEvent({ type: 'task.failed', aggregateId: 'r-a', producer: 'executor', occurredAt: at(40), data: { taskId: 'r-a-architect', role: 'architect', iterations: 1, reason: 'stuck', reviewId: 'rv-1' } }),
      createEvent({ type: 'review.resolved', aggregateId: 'rv-1', producer: 'submitter', occurredAt: at(50), data: { reviewId: 'rv-1', resolution: 'retry', by: 'ana' } }),
    ]);
    const { runs } = await appliedTwice(runsProjector, events);
    expect(runs).toEqual([
      expect.objectContaining({ run_id: 'r-a', run_ordinal: 2, status: 'running', simulated: false, iterations: 1, open_review_id: null }),
      expect.objectContaining({ run_id: 'r-b', run_ordinal: 1, status: 'completed', simulated: true, iterations: 3, cost_usd: 0.04, roles: ['architect', 'engineer'] }),
    ]);
  });

  it('runs: the end run.ended records, with each role\'s state; a resumed run\'s later end replaces it; applied twice, updated once', async () => {
    const roles = ['architect', 'engineer'] as const;
    const run = { aggregateId: 'r-e', producer: 'executor' as const };
    const ended = (status: 'done' | 'stuck' | 'blocked-on-questions', minute: number, tasks: { role: (typeof roles)[number]; status: 'completed' | 'stuck' | 'blocked' | 'review' | 'not-started' }[]) =>
      createEvent({ type: 'run.ended', ...run, occurredAt: at(minute), data: { runId: 'r-e', status, reason: `ended ${status}`, tasks } });
    const blocked = ended('blocked-on-questions', 20, [{ role: 'architect', status: 'review' }, { role: 'engineer', status: 'blocked' }]);
    const events = sequenced([
      createEvent({
        type: 'goal.submitted', ...run, producer: 'submitter', occurredAt: at(0),
        data: { goalId: 'g', title: 'Goal', description: 'd', roles: [...roles], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 3, backend: 'sim' },
      }),
      createEvent({ type: 'task.started', ...run, occurredAt: at(1), data: { taskId: 'r-e-architect', role: 'architect', iteration: 1, allowedPaths: [], maxTurns: 5 } }),
      createEvent({ type: 'task.failed', ...run, occurredAt: at(19), data: { taskId: 'r-e-architect', role: 'architect', iterations: 1, reason: 'tier ceiling', reviewId: 'rv-e' } }),
      blocked,
      // A person accepts the architect's work mid-pipeline: the run goes on, it is not completed.
      createEvent({ type: 'review.resolved', aggregateId: 'rv-e', producer: 'submitter', occurredAt: at(30), data: { reviewId: 'rv-e', resolution: 'accept', by: 'ana' } }),
      createEvent({ type: 'task.completed', ...run, occurredAt: at(31), data: { taskId: 'r-e-architect', role: 'architect', iterations: 1, gradeId: 'g', overall: 0.5 } }),
      createEvent({ type: 'task.started', ...run, occurredAt: at(32), data: { taskId: 'r-e-engineer', role: 'engineer', iteration: 1, allowedPaths: [], maxTurns: 5 } }),
    ]);
    expect((await appliedTwice(runsProjector, events)).runs).toEqual([
      expect.objectContaining({ run_id: 'r-e', status: 'running', ended_at: null, end_reason: null, role_states: null, ended_seq: '4', end_event_ids: [blocked.id] }),
    ]);

    const done = ended('done', 40, [{ role: 'architect', status: 'completed' }, { role: 'engineer', status: 'completed' }]);
    const later = sequenced([
      createEvent({ type: 'task.completed', ...run, occurredAt: at(39), data: { taskId: 'r-e-engineer', role: 'engineer', iterations: 1, gradeId: 'g2', overall: 0.9 } }),
      done,
      // Copies it did not expect: the earlier end redelivered under a new sequence, and an end for a run never submitted.
      { ...blocked },
      createEvent({ type: 'run.ended', aggregateId: 'r-unknown', producer: 'executor', data: { runId: 'r-unknown', status: 'stuck', reason: 'x', tasks: [] } }),
    ], events.length + 1);
    const { runs } = await appliedTwice(runsProjector, later);
    expect(runs).toEqual([
      expect.objectContaining({
        run_id: 'r-e', status: 'done', end_reason: 'ended done', ended_seq: String(events.length + 2), end_event_ids: [blocked.id, done.id],
        role_states: [{ role: 'architect', status: 'completed' }, { role: 'engineer', status: 'completed' }],
      }),
    ]);
    expect((runs[0] as { ended_at: Date }).ended_at).toEqual(at(40));
  });

  it('tasks: latest iteration, status and final overall; applied twice, updated once', async () => {
    const events = sequenced([
      createEvent({ type: 'task.started', aggregateId: 'r-1', producer: 'executor', data: { taskId: 't-1', role: 'engineer', iteration: 1, allowedPaths: [], maxTurns: 5 } }),
      createEvent({ type: 'task.started', aggregateId: 'r-1', producer: 'executor', data: { taskId: 't-1', role: 'engineer', iteration: 2, allowedPaths: [], maxTurns: 5 } }),
      createEvent({ type: 'task.completed', aggregateId: 'r-1', producer: 'executor', data: { taskId: 't-1', role: 'engineer', iterations: 2, gradeId: 'g-2', overall: 0.8 } }),
      createEvent({ type: 'task.started', aggregateId: 'r-1', producer: 'executor', data: { taskId: 't-2', role: 'tester', iteration: 1, allowedPaths: [], maxTurns: 5 } }),
      createEvent({ type: 'task.failed', aggregateId: 'r-1', producer: 'executor', data: { taskId: 't-2', role: 'tester', iterations: 1, reason: 'no tests' } }),
    ]);
    const { tasks } = await appliedTwice(tasksProjector, events);
    expect(tasks).toEqual([
      expect.objectContaining({ task_id: 't-1', iteration: 2, status: 'completed', final_overall: 0.8, grade_id: 'g-2' }),
      expect.objectContaining({ task_id: 't-2', status: 'failed', failure_reason: 'no tests', final_overall: null }),
    ]);
  });

  it('grades and grade items with their toReachNext; corrections count each signature once per occurrence; applied twice, updated once', async () => {
    const events = sequenced(scenarioEvents({ runs: 30, seed: 7 }).filter((e) => e.type === 'grade.recorded'));
    const { grades, grade_items: items } = await appliedTwice(gradesProjector, events);
    expect(grades).toHaveLength(events.length);
    const failedGates = items.filter((i: any) => i.kind === 'gate' && !i.passed);
    expect(failedGates.length).toBeGreaterThan(0);
    expect(failedGates.every((i: any) => i.to_reach_next && i.to_reach_next.id === i.item_id)).toBe(true);
    expect(items.filter((i: any) => i.kind === 'dimension' && i.score === 5).every((i: any) => i.to_reach_next === null)).toBe(true);

    const { corrections } = await appliedTwice(correctionsProjector, events);
    const expected = events.flatMap(({ event }) =>
      event.type === 'grade.recorded'
        ? event.data.rubrics.flatMap((r) => [...r.gates.filter((g) => !g.passed), ...r.dimensions.filter((d) => d.score < 5)])
        : [],
    ).length;
    expect(corrections.reduce((sum: number, c: any) => sum + c.count, 0)).toBe(expected);
    for (const c of corrections as any[]) {
      expect(c.delta_normalized).not.toMatch(/\d|[A-Z]|\s{2}/);
      expect(c.decision_key).toBe(`grader:${c.role}:${c.kind}:${c.item_id}`);
      expect(c.example_event_ids.length).toBe(Math.min(20, new Set(c.example_event_ids).size));
      expect(c.example_event_ids.length).toBeLessThanOrEqual(Math.min(20, c.count));
    }
  });

  it('decisions: routed and completed, with a spot-check answer alongside; applied twice, updated once', async () => {
    const { decisions } = await appliedTwice(decisionsProjector, sequenced([...decisionEvents('r-1', 'd-1', true), ...decisionEvents('r-1', 'd-2', false)]));
    expect(decisions).toEqual([
      expect.objectContaining({
        decision_id: 'd-1', routed_tier: 'deterministic', rule_id: 'r-1', shadow: true, tier: 'deterministic', verdict: 'fail', cost_usd: 0,
        shadow_tier: 'frontier', shadow_verdict: 'pass', shadow_cost_usd: 0.04, features: { test_runs: 0, claims_tests_pass: true },
        requested_seq: '1', routed_seq: '2', completed_seq: '3', shadow_completed_seq: '4',
      }),
      expect.objectContaining({ decision_id: 'd-2', shadow: false, verdict: 'fail', shadow_verdict: null, requested_seq: '5', completed_seq: '7' }),
    ]);
  });

  it('decisions routed or completed again, with other answers, keep the first: the one the requester acted on and graded with', async () => {
    const [requested, routed, completed] = decisionEvents('r-1', 'd-1', false);
    // the same decision again under new ids: a replica's answer, or a routing repeated after a restart
    const rerouted = { ...routed, id: uuidv7(), data: { ...routed.data, tier: 'frontier', reason: 'routed again' } } as LoopEvent;
    const again = { ...completed, id: uuidv7(), data: { ...completed.data, tier: 'frontier', verdict: 'pass', costUsd: 0.04 } } as LoopEvent;
    const { decisions } = await appliedTwice(decisionsProjector, sequenced([requested, routed, completed, rerouted, again]));
    expect(decisions).toEqual([
      expect.objectContaining({ decision_id: 'd-1', routed_tier: 'deterministic', tier: 'deterministic', verdict: 'fail', cost_usd: 0, routed_seq: '2', completed_seq: '3' }),
    ]);
  });

  it('rules and their validations through the lifecycle; applied twice, updated once', async () => {
    const events = sequenced(scenarioEvents({ runs: 20, seed: 3 }).filter((e) => e.type.startsWith('rule.')));
    const { rules, rule_validations: validations } = await appliedTwice(rulesProjector, events);
    expect(rules).toEqual([
      expect.objectContaining({
        rule_id: 'rule-19', kind: 'deterministic', key: 'grader:engineer:gate:ran_tests_before_claim', tier: 'deterministic',
        approvals: [expect.objectContaining({ by: 'ana' })], predicate: expect.objectContaining({ all: expect.any(Array) }),
        state: events.some(({ event }) => event.type === 'rule.demoted') ? 'demoted' : 'promoted',
      }),
    ]);
    expect(validations).toEqual([expect.objectContaining({ rule_id: 'rule-19', golden_checked: 12, history_n: 40 })]);
  });

  it('rules follow the lifecycle the miner and the router follow: a rejection or approval of a promoted rule, or an approval of no rule, changes nothing', async () => {
    const lifecycle = scenarioEvents({ runs: 20, seed: 3 }).filter((e) => e.type.startsWith('rule.'));
    const upToPromotion = lifecycle.slice(0, lifecycle.findIndex((e) => e.type === 'rule.promoted') + 1);
    const person = { producer: 'submitter' as const, occurredAt: at(59) };
    const events = sequenced([
      ...upToPromotion,
      createEvent({ type: 'rule.rejected', aggregateId: 'rule-19', ...person, data: { ruleId: 'rule-19', by: 'human', reason: 'too broad (by eve)', failedExamples: [] } }),
      createEvent({ type: 'rule.approved', aggregateId: 'rule-19', ...person, data: { ruleId: 'rule-19', by: 'eve' } }),
      createEvent({ type: 'rule.approved', aggregateId: 'rule-ghost', ...person, data: { ruleId: 'rule-ghost', by: 'eve' } }),
    ]);
    const { rules } = await appliedTwice(rulesProjector, events);
    expect(rules).toEqual([expect.objectContaining({ rule_id: 'rule-19', state: 'promoted', rejected_by: null, approvals: [expect.objectContaining({ by: 'ana' })] })]);
  });

  it('reviews open and resolved; applied twice, updated once', async () => {
    const events = sequenced([
      createEvent({ type: 'review.requested', aggregateId: 'rv-1', producer: 'router', data: { reviewId: 'rv-1', runId: 'r-1', reason: 'budget', summary: 'out of budget', items: ['d-9'] } }),
      createEvent({ type: 'review.requested', aggregateId: 'rv-2', producer: 'grader', data: { reviewId: 'rv-2', reason: 'tier-ceiling', summary: 'scope call' } }),
      createEvent({ type: 'review.resolved', aggregateId: 'rv-1', producer: 'submitter', data: { reviewId: 'rv-1', resolution: 'accept', by: 'ana', note: 'fine' } }),
    ]);
    const { reviews } = await appliedTwice(reviewsProjector, events);
    expect(reviews).toEqual([
      expect.objectContaining({ review_id: 'rv-1', status: 'resolved', resolution: 'accept', resolved_by: 'ana', items: ['d-9'], run_id: 'r-1' }),
      expect.objectContaining({ review_id: 'rv-2', status: 'open', resolution: null }),
    ]);
  });

  it('a review resolved twice keeps its first resolution, the one the executor acted on', async () => {
    const resolved = (resolution: 'accept' | 'reject', by: string, minute: number) =>
      createEvent({ type: 'review.resolved', aggregateId: 'rv-1', producer: 'submitter', occurredAt: at(minute), data: { reviewId: 'rv-1', resolution, by } });
    const events = sequenced([
      createEvent({ type: 'review.requested', aggregateId: 'rv-1', producer: 'executor', data: { reviewId: 'rv-1', runId: 'r-1', taskId: 'r-1-engineer', reason: 'quarantined', summary: 's' } }),
      resolved('accept', 'ana', 10),
      resolved('reject', 'bob', 11),
    ]);
    const { reviews } = await appliedTwice(reviewsProjector, events);
    expect(reviews).toEqual([expect.objectContaining({ review_id: 'rv-1', status: 'resolved', resolution: 'accept', resolved_by: 'ana', resolved_seq: '2' })]);
  });

  it('budgets: goal limit, spend from decisions per run and day, the router’s report; applied twice, updated once', async () => {
    const events = sequenced([
      createEvent({ type: 'goal.submitted', aggregateId: 'r-1', producer: 'submitter', data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['a'], testCommand: 't', budgetUsd: 1.5 } }),
      ...decisionEvents('r-1', 'd-1', true),
      createEvent({ type: 'budget.exhausted', aggregateId: 'goal-r-1', producer: 'router', occurredAt: at(5), data: { scope: 'goal', scopeId: 'r-1', limitUsd: 1.5, spentUsd: 1.4, reservedUsd: 0.2, decisionId: 'd-2' } }),
    ]);
    const { budgets } = await appliedTwice(budgetsProjector, events);
    expect(budgets).toEqual([
      expect.objectContaining({ scope: 'day', scope_id: '2026-01-05', spent_usd: 0.04, decisions: 2, limit_usd: null }),
      expect.objectContaining({ scope: 'goal', scope_id: 'r-1', limit_usd: 1.5, spent_usd: 0.04, reported_spent_usd: 1.4, reported_reserved_usd: 0.2, exhausted_count: 1 }),
    ]);
  });

  it('rubric calibrations: each recorded once, the latest per rubric version; applied twice, updated once', async () => {
    const calibrated = (samples: number, gating: boolean, version = 1) =>
      createEvent({
        type: 'rubric.calibrated', aggregateId: 'cal-engineer-trajectory', producer: 'grader', occurredAt: at(samples),
        data: {
          calibrationId: `cal-engineer-trajectory-v${version}-${samples}`, rubricId: 'engineer.trajectory', rubricVersion: version, runs: samples, samples,
          passed: { n: samples / 2, mean: 0.85 }, failed: { n: samples / 2, mean: gating ? 0.55 : 0.8 }, separation: gating ? 0.3 : 0.05,
          minRuns: 10, minSeparation: 0.15, gating, reason: gating ? 'separates' : 'does not separate',
        },
      });
    const events = sequenced([calibrated(10, false), calibrated(20, true), calibrated(10, false, 2)]);
    const { rubric_calibrations: rows } = await appliedTwice(rubricCalibrationsProjector, events);
    expect(rows).toHaveLength(3);
    expect((await latestRubricCalibrations(db)).map((r) => [r.rubric_id, r.rubric_version, r.samples, r.gating, r.separation])).toEqual([
      ['engineer.trajectory', 2, 10, false, 0.05],
      ['engineer.trajectory', 1, 20, true, 0.3],
    ]);
  });

  it('audit chain: hashes every stored message, malformed ones included, and a redelivered batch changes nothing', async () => {
    const root = 'loop';
    const stored: StoredEvent[] = scenarioEvents({ runs: 2 }).slice(0, 20).map((event, i) => {
      const subject = `${root}.${event.aggregate}.${event.aggregateId}.${event.producer}.${event.type}`;
      return toStoredEvent(i + 1, subject, encodeEvent(event), root);
    });
    stored.push(toStoredEvent(21, `${root}.run.r-x.executor.trace.step`, new TextEncoder().encode('{not json'), root));
    expect(stored[20].event).toBeNull();
    const links = { readModels: [], links: [auditChainProjector] };
    await applyStoredBatch(db, links, stored.slice(0, 7));
    await applyStoredBatch(db, links, stored);
    await applyStoredBatch(db, links, stored.slice(3));
    const rows: { seq: string; chain_hash: string }[] = await db.query('SELECT seq, chain_hash FROM audit_chain ORDER BY seq');
    expect(rows.map((r) => [Number(r.seq), r.chain_hash])).toEqual([...chainHashes(stored)]);
  });
});
