import { foldEvents } from '@loopwright/core';
import { createEvent, EventOf, LoopEvent, NewEvent } from '@loopwright/events';
import { computeWorkFeatures, deliveredChange, extractClaims } from '@loopwright/checks';
import { loadRoleBoundaries, loadRubrics } from '@loopwright/rubrics';
import { createGradingDecider, GradingIntent } from './decide-grading';
import { rederiveGrades } from './rederive-grade';

const rubrics = loadRubrics();
const boundaries = loadRoleBoundaries();
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
/** The features the grader would record: a write of src/sum.js and a run of the tests, then its own re-run. */
function featuresOf(exitCode: number) {
  const steps = [
    { taskId: 'run-d-engineer', iteration: 1, step: 0, kind: 'edit' as const, input: 'src/sum.js', path: 'src/sum.js', output: '', durationMs: 0 },
    { taskId: 'run-d-engineer', iteration: 1, step: 1, kind: 'command' as const, input: 'node test/sum.test.js', output: 'ok', exitCode: 0, durationMs: 0 },
  ];
  const files = [{ path: 'src/sum.js', content: 'module.exports = (a, b) => a + b;' }];
  const finalMessage = work.data.finalMessage;
  return computeWorkFeatures({
    context: { role: 'engineer', pipeline: ['engineer'], boundaries, goal: { description: 'sum', allowedPaths: ['src/**'], scratchPaths: [], testCommand: 'node test/sum.test.js', labels: {} } },
    steps, work: { ...work.data, claims: extractClaims(finalMessage), testCommand: 'node test/sum.test.js', allowedPaths: ['src/**'] },
    change: deliveredChange([], files, [], ['src/**']), delivered: files, base: [], baseRevision: '', rerun: { exitCode, output: '' }, probes: [], upstreamGate: null, priorRevision: null,
  }).features;
}
const verified = (exitCode: number) => make<'work.verified'>({
  type: 'work.verified', producer: 'grader',
  data: {
    workId: WORK, taskId: 'run-d-engineer', role: 'engineer', iteration: 1,
    rerun: { command: 'node test/sum.test.js', exitCode, output: '', timedOut: false, isolation: 'bubblewrap', durationMs: 1 },
    change: { created: ['src/sum.js'], modified: [], deleted: [], outOfScope: [], irregular: [] },
    features: featuresOf(exitCode),
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

/** The grader's answer to every routed item: gates pass, dimensions 5. */
function passingCompletions(routed: EventOf<'decision.routed'>[]) {
  return routed.map((r) => make<'decision.completed'>({
    type: 'decision.completed', producer: 'grader',
    data: { decisionId: r.data.decisionId, key: r.data.key, tier: 'frontier', verdict: r.data.key.includes(':gate:') ? 'pass' : '5', confidence: 1, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0 },
  }));
}

describe('the grading decider', () => {
  it('verifies new work first, and never again once verified', () => {
    expect(when([goal], work)).toEqual([{ kind: 'activity', activity: { kind: 'verify', work } }]);
    const again = when([goal, work, verified(0)], work);
    expect(again.length).toBeGreaterThan(0);
    expect(again.every((i) => i.kind === 'emit' && i.event.type === 'decision.requested')).toBe(true);
  });

  it('requests one decision per item that applies, with the recorded features, and none for the rest', () => {
    const { requests } = requestedAndRouted('frontier');
    const keys = requests.map((r) => (r as EventOf<'decision.requested'>).data.key);
    // Every item of the engineer's rubrics but those that do not apply to a lone engineer's change with no auth code.
    expect(keys).toContain('grader:engineer:gate:module_loads');
    expect(keys).toContain('grader:engineer:dimension:correctness');
    expect(keys).not.toContain('grader:engineer:gate:crypto_compliance');
    expect(keys).not.toContain('grader:engineer:gate:handoff_complete');
    expect(keys).not.toContain('grader:engineer:dimension:implementation_order');
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
    const completions = passingCompletions(routed);
    const history = [goal, work, verified(1), ...requests, ...routed, ...completions];
    const [grade] = when(history.slice(0, -1), completions.at(-1)!);
    expect(grade).toMatchObject({ kind: 'emit', event: { type: 'grade.recorded', data: { passed: false, route: { fixType: 'local', stage: 'engineer', items: ['tests_pass_on_rerun'] } } } });
    const recorded = createEvent((grade as { event: NewEvent<'grade.recorded'> }).event) as LoopEvent;
    expect(when([...history, recorded], work)).toMatchObject([{ kind: 'ignore' }]);
    const data = (recorded as EventOf<'grade.recorded'>).data;
    expect(data.rubrics.map((r) => [r.rubricId, r.mode])).toEqual([['engineer.trajectory', 'advisory'], ['implementation', 'gating']]);
    expect(data.rubrics.find((r) => r.rubricId === 'implementation')!.notApplicable).toEqual(['crypto_compliance']);
  });

  it('records the grade a crash left out when the last routing is delivered again, and only once', () => {
    const { requests, routed } = requestedAndRouted('frontier');
    const completions = passingCompletions(routed);
    // the process died after its last decision.completed was appended and before grade.recorded was
    const history = [goal, work, verified(1), ...requests, ...routed, ...completions];
    const [onCompleted] = when(history.slice(0, -1), completions.at(-1)!);
    const [onRedelivery] = when(history, routed.at(-1)!);
    expect(onRedelivery).toMatchObject({ kind: 'emit', event: { type: 'grade.recorded' } });
    // the same grade, by id, as the one the completion would have recorded: the log keeps one
    expect((onRedelivery as { event: NewEvent<'grade.recorded'> }).event.id).toBe((onCompleted as { event: NewEvent<'grade.recorded'> }).event.id);
    const recorded = createEvent((onRedelivery as { event: NewEvent<'grade.recorded'> }).event) as LoopEvent;
    expect(when([...history, recorded], routed.at(-1)!)).toMatchObject([{ kind: 'ignore' }]);
    // an earlier routing delivered again while items are still undecided records nothing
    expect(when(history.slice(0, -1), routed[0])).toMatchObject([{ kind: 'ignore' }]);
  });

  /** Every routed item answered: gates pass, dimensions 5, but the behavior gate a check decides may fail. */
  function gradeWith(exitCode: number, modeOf?: (r: (typeof rubrics)[number]) => 'gating' | 'advisory', judged: (key: string) => string = (key) => (key.includes(':gate:') ? 'pass' : '5')) {
    const d = createGradingDecider(rubrics, { judgeEstimateUsd: 0.01, modeOf });
    const history: LoopEvent[] = [goal, work, verified(exitCode)];
    const requests = d.decide(foldEvents(d, history), history[2]).flatMap((i) => (i.kind === 'emit' ? [createEvent(i.event) as LoopEvent] : []));
    history.push(...requests);
    let grade: EventOf<'grade.recorded'> | undefined;
    for (const r of requests as EventOf<'decision.requested'>[]) {
      const routed = make<'decision.routed'>({ type: 'decision.routed', producer: 'router', data: { decisionId: r.data.decisionId, key: r.data.key, tier: 'frontier', reason: 't', reservedUsd: 0 } });
      history.push(routed);
      for (const intent of d.decide(foldEvents(d, history), routed)) {
        const completion = intent.kind === 'emit' ? createEvent(intent.event) as LoopEvent : make<'decision.completed'>({
          type: 'decision.completed', producer: 'grader',
          data: { decisionId: r.data.decisionId, key: r.data.key, tier: 'frontier', verdict: judged(r.data.key), confidence: 1, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0 },
        });
        history.push(completion);
        const [next] = d.decide(foldEvents(d, history), completion);
        if (next?.kind === 'emit' && next.event.type === 'grade.recorded') grade = createEvent(next.event) as EventOf<'grade.recorded'>;
      }
    }
    return grade!;
  }

  it('lets an advisory behavior rubric grade without bouncing the work, until a calibration makes it gate', () => {
    const lowBehavior = (key: string) => (key.includes(':gate:') ? 'pass' : key.endsWith('evidence_over_narration') ? '1' : '5');
    const advisory = gradeWith(0, undefined, lowBehavior);
    expect(advisory.data.rubrics.find((r) => r.rubricId === 'engineer.trajectory')).toMatchObject({ mode: 'advisory', passed: false });
    expect(advisory.data).toMatchObject({ passed: true, route: { fixType: 'none' } });
    const calibrated = gradeWith(0, () => 'gating', lowBehavior);
    expect(calibrated.data).toMatchObject({ passed: false, route: { fixType: 'local', items: ['evidence_over_narration'] } });
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

  it('says a grade recorded under rubric versions it does not have cannot be derived again, rather than guessing', () => {
    const { history, grade } = gradedHistory((key) => (key.includes(':gate:') ? 'pass' : '4'));
    const older = { ...grade, data: { ...(grade as EventOf<'grade.recorded'>).data, rubrics: [{ ...(grade as EventOf<'grade.recorded'>).data.rubrics[0], rubricId: 'engineer.behavior' }] } } as LoopEvent;
    expect(rederiveGrades(rubrics, [...history, older])).toMatchObject([{ match: false, rederived: { missing: ['rubric engineer.behavior@1, which is not loaded'] } }]);
  });
});
