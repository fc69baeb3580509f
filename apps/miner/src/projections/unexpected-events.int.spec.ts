import { createEvent, EventOf } from '@loopwright/events';
import { ALL_PROJECTIONS, rebuildProjections } from '@loopwright/projections';
import { startProjections } from './start-projections';
import { again } from '../testing/replayed-event';
import { useProjectionSuite } from '../testing/use-projection-suite';

const KEY = 'grader:engineer:gate:ran_tests_before_claim';
const RUN = 'r-dup';
const when = new Date(Date.UTC(2026, 0, 5, 9));

const goal = createEvent({
  type: 'goal.submitted', aggregateId: RUN, producer: 'submitter', occurredAt: when,
  data: { goalId: RUN, title: 'g', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 1, backend: 'local' },
});

function completed(decisionId: string, costUsd: number, shadow = false): EventOf<'decision.completed'> {
  return createEvent({
    type: 'decision.completed', aggregateId: RUN, producer: 'grader', occurredAt: when,
    data: { decisionId, key: KEY, tier: 'frontier', verdict: 'fail', confidence: 0.9, costUsd, tokens: { input: 10, output: 2 }, latencyMs: 5, shadow },
  }) as EventOf<'decision.completed'>;
}

const started = createEvent({
  type: 'task.started', aggregateId: RUN, producer: 'executor', occurredAt: when,
  data: { taskId: `${RUN}-engineer`, role: 'engineer', iteration: 1, allowedPaths: ['src/**'], maxTurns: 10 },
});

const graded = createEvent({
  type: 'grade.recorded', aggregateId: RUN, producer: 'grader', occurredAt: when,
  data: {
    gradeId: `${RUN}-g1`, workId: `${RUN}-w1`, taskId: `${RUN}-engineer`, role: 'engineer', iteration: 1, passed: false, overall: 0.3,
    rubrics: [{
      rubricId: 'engineer-output', rubricVersion: 1, surface: 'output',
      gates: [{ id: 'ran_tests_before_claim', passed: false, evidence: 'no test run', tier: 'deterministic', severity: 'critical' }],
      dimensions: [], notScored: [],
      toReachNext: [{ id: 'ran_tests_before_claim', current: false, target: true, delta: 'run the tests', owner: 'executor', fixType: 'local' }],
      weightedAvg: 2, overall: 0.3, capsApplied: [], passed: false,
    }],
    rerun: { command: 't', exitCode: 1, output: '' }, costUsd: 0.01,
  },
});

const taskCompleted = createEvent({
  type: 'task.completed', aggregateId: RUN, producer: 'executor', occurredAt: when,
  data: { taskId: `${RUN}-engineer`, role: 'engineer', iterations: 1, gradeId: `${RUN}-g1`, overall: 0.9 },
});

const exhausted = createEvent({
  type: 'budget.exhausted', aggregateId: `goal-${RUN}`, producer: 'router', occurredAt: when,
  data: { scope: 'goal', scopeId: RUN, decisionId: 'd-3', limitUsd: 1, spentUsd: 0.9, reservedUsd: 0.2 },
});

/**
 * The miner's live projections against events no service should send twice: each business fact
 * (a decision's completion, a task's iteration, a grade, a refusal) counts once, whatever the event id.
 */
describe('the miner’s projections and unexpected events', () => {
  const suite = useProjectionSuite('miner_unexpected');

  const counted = async () => ({
    run: (await suite.db.query('SELECT cost_usd, iterations, status FROM runs WHERE run_id = $1', [RUN]))[0],
    tasks: await suite.db.query('SELECT status, iteration FROM tasks'),
    budgets: await suite.db.query('SELECT scope, spent_usd, decisions, exhausted_count FROM budgets ORDER BY scope'),
    corrections: await suite.db.query('SELECT count, example_event_ids FROM corrections'),
  });
  const expected = {
    run: { cost_usd: 0.3, iterations: 1, status: 'completed' },
    tasks: [{ status: 'completed', iteration: 1 }],
    budgets: [
      { scope: 'day', spent_usd: 0.3, decisions: 2, exhausted_count: 0 },
      { scope: 'goal', spent_usd: 0.3, decisions: 2, exhausted_count: 1 },
    ],
    corrections: [{ count: 1, example_event_ids: [graded.id] }],
  };

  it('counts a second event for the same decision, iteration, grade or refusal once, live and rebuilt', async () => {
    suite.running = await startProjections(suite.log, suite.db, { onError: (e) => console.error(e) });
    const primary = completed('d-1', 0.25);
    const shadow = completed('d-1', 0.05, true);
    const results = await suite.log.appendMany([
      goal, started, primary, shadow, graded, exhausted, taskCompleted,
      // replays under new ids: one a day later, so it would land on another day's budget; the task's start after it ended
      again(primary, new Date(Date.UTC(2026, 0, 6, 9))), again(shadow), again(started), again(graded), again(exhausted),
    ]);
    await suite.running.waitFor(results[results.length - 1].seq);
    expect(await counted()).toEqual(expected);

    await rebuildProjections(suite.log, suite.db, { names: ['runs', 'budgets', 'corrections'] });
    expect(await counted()).toEqual(expected);
  });

  it('quarantines a refused event with its reason and goes on with the next', async () => {
    suite.running ??= await startProjections(suite.log, suite.db, { onError: (e) => console.error(e) });
    const forged = completed('d-2', 5);
    const published = await suite.log.js.publish(
      `${suite.config.subjectRoot}.run.${RUN}.submitter.decision.completed`,
      new TextEncoder().encode(JSON.stringify({ ...forged, producer: 'submitter' })),
    );
    const after = await suite.log.append(completed('d-4', 0.1));
    await suite.running.waitFor(after.seq);

    const notices: EventOf<'system.event.quarantined'>[] = [];
    for await (const stored of suite.log.replay({ filter: `${suite.config.subjectRoot}.system.>` })) {
      if (stored.event?.type === 'system.event.quarantined') notices.push(stored.event);
    }
    expect(notices.map((n) => [n.data.originalSeq, n.data.originalSubject])).toEqual([[published.seq, `${suite.config.subjectRoot}.run.${RUN}.submitter.decision.completed`]]);
    expect(notices[0].data.reason).toMatch(/submitter may not publish decision\.completed/);
    expect(notices[0].producer).toBe('miner');
    // the refused event is still in the log, and the one after it was projected
    expect((await suite.log.jsm.streams.getMessage(suite.config.streamName, { seq: published.seq }))?.subject).toMatch(/submitter\.decision\.completed$/);
    expect((await counted()).run.cost_usd).toBeCloseTo(0.4);

    // projected again from sequence 1 (a new database): no second notice for the same message
    await suite.running.stop();
    const tables = [...ALL_PROJECTIONS.readModels, ...ALL_PROJECTIONS.links].flatMap((p) => p.tables);
    await suite.db.query(`TRUNCATE ${tables.join(', ')}, projection_checkpoint`);
    suite.running = await startProjections(suite.log, suite.db, { onError: (e) => console.error(e) });
    await suite.running.waitFor(after.seq + 1);
    expect((await counted()).run.cost_usd).toBeCloseTo(0.4);
    let again = 0;
    for await (const stored of suite.log.replay({ filter: `${suite.config.subjectRoot}.system.>` })) if (stored.event?.type === 'system.event.quarantined') again += 1;
    expect(again).toBe(1);
  });
});
