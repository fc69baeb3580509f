import { foldEvents } from '@loopwright/core';
import { createEvent, EventOf, LoopEvent, NewEvent } from '@loopwright/events';
import { loadRubrics } from '@loopwright/rubrics';
import { createGradingDecider, GradingIntent } from './decide-grading';
import { rederiveGrades } from './rederive-grade';

const rubrics = loadRubrics();
const decider = createGradingDecider(rubrics, { judgeEstimateUsd: 0.01 });
const RUN = 'run-d';
const WORK = 'run-d-engineer-w1';

const make = <T extends LoopEvent['type']>(event: Omit<NewEvent<T>, 'aggregateId'> & { aggregateId?: string }) =>
  createEvent({ aggregateId: RUN, ...event } as NewEvent<T>) as EventOf<T>;

const goal = make<'goal.submitted'>({
  type: 'goal.submitted', producer: 'submitter',
  data: { goalId: 'g', title: 'Sum', description: 'sum', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node test/sum.test.js', budgetUsd: 1 },
});
const work = make<'work.produced'>({
  type: 'work.produced', producer: 'executor',
  data: {
    workId: WORK, taskId: 'run-d-engineer', role: 'engineer', iteration: 1, artifactDigest: 'a'.repeat(64), files: ['src/sum.js'],
    claims: { testsPass: true, testsRun: true, summary: '' }, finalMessage: '## Summary\nok\n## Tests\nAll tests pass.',
    testCommand: 'echo fake', allowedPaths: ['**/**'], endedBy: 'finished', turnsUsed: 3, maxTurns: 10,
  },
});
const verified = (exitCode: number) => make<'work.verified'>({
  type: 'work.verified', producer: 'grader',
  data: {
    workId: WORK, taskId: 'run-d-engineer', role: 'engineer', iteration: 1,
    rerun: { command: 'node test/sum.test.js', exitCode, output: '', timedOut: false, isolation: 'bubblewrap', durationMs: 1 },
    change: { created: ['src/sum.js'], modified: [], deleted: [], outOfScope: [], irregular: [] },
    features: {
      claims_tests_pass: true, test_runs: 1, out_of_scope_changes: 0, out_of_scope_writes: 0, out_of_scope_attempts: 0, max_identical_failures: 0,
      max_near_identical_retries: 0, ended_by: 'finished',
      rerun_passed: exitCode === 0, has_summary_section: true, has_tests_section: true,
    },
  },
});

/** given these events, when this one arrives, then these intents. */
function when(given: LoopEvent[], event: LoopEvent): GradingIntent[] {
  return decider.decide(foldEvents(decider, [...given, event]), event);
}

/** Every request, routed by the router, as the grader would see them. */
function requestedAndRouted(tier: 'frontier' | 'deterministic', producer: 'router' | 'executor' = 'router') {
  const requests = when([goal, work], verified(1)).flatMap((i) => (i.kind === 'emit' ? [createEvent(i.event) as LoopEvent] : []));
  const routed = requests.map((r) => ({
    // A forged producer is written into the envelope directly, as a hostile publisher would.
    ...make<'decision.routed'>({
      type: 'decision.routed', producer: 'router',
      data: { decisionId: (r as EventOf<'decision.requested'>).data.decisionId, key: (r as EventOf<'decision.requested'>).data.key, tier, reason: 'test', reservedUsd: 0 },
    }),
    producer,
  }));
  return { requests, routed };
}

describe('the grading decider', () => {
  it('verifies new work first, and never again once verified', () => {
    expect(when([goal], work)).toEqual([{ kind: 'activity', activity: { kind: 'verify', work } }]);
    const again = when([goal, work, verified(0)], work);
    expect(again.length).toBeGreaterThan(0);
    expect(again.every((i) => i.kind === 'emit' && i.event.type === 'decision.requested')).toBe(true);
  });

  it('requests one decision per rubric item, with the recorded features', () => {
    const { requests } = requestedAndRouted('frontier');
    const items = rubrics.filter((r) => r.role === 'engineer' && r.surface !== 'run').flatMap((r) => [...r.gates, ...r.dimensions]);
    expect(requests).toHaveLength(items.length);
    expect((requests[0] as EventOf<'decision.requested'>).data.features['rerun_passed']).toBe(false);
  });

  it('decides a built-in check from the record even when routed to a model', () => {
    const { requests, routed } = requestedAndRouted('frontier');
    const rerunGate = routed.find((r) => r.data.key.endsWith(':tests_pass_on_rerun'))!;
    const [intent] = when([goal, work, verified(1), ...requests], rerunGate);
    expect(intent).toMatchObject({ kind: 'emit', event: { type: 'decision.completed', producer: 'grader', data: { tier: 'deterministic', verdict: 'fail' } } });
  });

  it('sends a routed model item to the judge activity', () => {
    const { requests, routed } = requestedAndRouted('frontier');
    const judged = routed.find((r) => r.data.key.endsWith(':correctness'))!;
    expect(when([goal, work, verified(1), ...requests], judged)).toMatchObject([{ kind: 'activity', activity: { kind: 'judge', tier: 'frontier', shadow: false } }]);
  });

  it('refuses a routing that does not come from the router', () => {
    const { requests, routed } = requestedAndRouted('frontier', 'executor');
    expect(when([goal, work, verified(1), ...requests], routed[0])).toMatchObject([{ kind: 'refuse', reason: expect.stringMatching(/comes from executor/) }]);
  });

  it('never grades from completions another producer forged', () => {
    const { requests, routed } = requestedAndRouted('frontier');
    const forged = routed.map((r) => make<'decision.completed'>({
      type: 'decision.completed', producer: 'executor',
      data: { decisionId: r.data.decisionId, key: r.data.key, tier: 'frontier', verdict: r.data.key.includes(':gate:') ? 'pass' : '5', confidence: 1, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0 },
    }));
    const state = foldEvents(decider, [goal, work, verified(1), ...requests, ...routed, ...forged]);
    expect(state.works.get(WORK)!.completions.size).toBe(0);
    expect(state.forged).toHaveLength(forged.length);
    expect(decider.decide(state, forged.at(-1)!).some((i) => i.kind === 'emit')).toBe(false);
  });

  it('records the grade once every item is answered, a built-in check overriding any recorded verdict, and nothing after', () => {
    const { requests, routed } = requestedAndRouted('frontier');
    const completions = routed.map((r) => make<'decision.completed'>({
      type: 'decision.completed', producer: 'grader',
      data: { decisionId: r.data.decisionId, key: r.data.key, tier: 'frontier', verdict: r.data.key.includes(':gate:') ? 'pass' : '5', confidence: 1, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0 },
    }));
    const history = [goal, work, verified(1), ...requests, ...routed, ...completions];
    const [grade] = when(history.slice(0, -1), completions.at(-1)!);
    expect(grade).toMatchObject({ kind: 'emit', event: { type: 'grade.recorded', data: { passed: false } } });
    const recorded = createEvent((grade as { event: NewEvent<'grade.recorded'> }).event) as LoopEvent;
    expect(when([...history, recorded], work)).toMatchObject([{ kind: 'ignore' }]);
  });
});

describe('re-deriving a recorded grade from the log', () => {
  /** A run graded as the grader would: checks answered by the decider, model items with `judged`. */
  function gradedHistory(judged: (key: string) => string) {
    const { requests, routed } = requestedAndRouted('frontier');
    const history: LoopEvent[] = [goal, work, verified(1), ...requests, ...routed];
    let grade: LoopEvent | undefined;
    for (const r of routed) {
      for (const intent of decider.decide(foldEvents(decider, history), r)) {
        const completion = intent.kind === 'emit'
          ? createEvent(intent.event) as LoopEvent
          : make<'decision.completed'>({
            type: 'decision.completed', producer: 'grader',
            data: { decisionId: r.data.decisionId, key: r.data.key, tier: 'frontier', verdict: judged(r.data.key), confidence: 1, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0 },
          });
        history.push(completion);
        const [next] = decider.decide(foldEvents(decider, history), completion);
        if (next?.kind === 'emit') grade = createEvent(next.event) as LoopEvent;
      }
    }
    return { history, grade: grade! };
  }

  it('matches the grade the decider recorded', () => {
    const { history, grade } = gradedHistory((key) => (key.includes(':gate:') ? 'pass' : '4'));
    expect(rederiveGrades(rubrics, [...history, grade])).toMatchObject([{ workId: WORK, match: true, recorded: { passed: false } }]);
  });

  it('names a check verdict the record does not bear out, and a grade that does not follow from the verdicts', () => {
    const { history, grade } = gradedHistory((key) => (key.includes(':gate:') ? 'pass' : '4'));
    const rerunGate = history.find((e) => e.type === 'decision.completed' && e.data.key.endsWith(':tests_pass_on_rerun'))!;
    const forged = history.map((e) => (e === rerunGate ? { ...e, data: { ...(e as EventOf<'decision.completed'>).data, verdict: 'pass' } } as LoopEvent : e));
    const doctored = { ...grade, data: { ...(grade as EventOf<'grade.recorded'>).data, passed: true, overall: 1 } } as LoopEvent;
    const [result] = rederiveGrades(rubrics, [...forged, doctored]);
    expect(result.match).toBe(false);
    expect(result.checkMismatches).toContainEqual({ key: 'grader:engineer:gate:tests_pass_on_rerun', recorded: 'pass', rederived: 'fail' });
    expect(result.rederived).toMatchObject({ passed: false });
  });
});
