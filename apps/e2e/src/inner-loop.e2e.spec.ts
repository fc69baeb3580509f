import { goalOf, loadWorkload } from '@loopwright/models';
import { E2E_WORKLOAD, InnerLoopHarness, NO_DEFECTS, ofType, until, writeWorkload } from './harness';

describe('the inner loop, end to end (router, executor, grader as processes; sim models)', () => {
  let harness: InnerLoopHarness;

  beforeAll(async () => {
    harness = await InnerLoopHarness.open('inner', {
      LOOP_SIM_WORKLOAD: writeWorkload({ defects: { ...NO_DEFECTS, claims_without_running_tests: 1 }, fixOnFeedback: 1 }),
    });
    await harness.start('router', 'executor', 'grader');
  }, 60_000);

  afterAll(() => harness.close());

  it('fails a draft that claims passing tests it never ran, feeds that back, and passes the revision', async () => {
    const goal = goalOf(loadWorkload(E2E_WORKLOAD), 'greet');
    const runId = 'run-e2e-1';
    await harness.submit(runId, 'greet');
    const events = await harness.ended(runId);
    const types = events.map((e) => e.type);
    const of = <T extends (typeof events)[number]['type']>(type: T) => ofType(events, type);

    // The first draft claimed its tests pass without running any code: the implementation's deterministic gate failed it,
    // and the behavior rubric (advisory until calibrated) recorded the unbacked claim beside it.
    const [firstWork, secondWork] = of('work.produced');
    expect(firstWork.data.claims.testsPass).toBe(true);
    const firstSteps = of('trace.step').filter((s) => s.data.iteration === 1);
    expect(firstSteps.some((s) => s.data.tool === 'run_command' && s.data.input.includes(goal.testCommand))).toBe(false);
    expect(firstSteps.some((s) => s.data.tool === 'write_file' && s.data.input === 'src/greet.js')).toBe(true);
    const [firstGrade, secondGrade] = of('grade.recorded');
    expect(firstGrade.data.passed).toBe(false);
    const implementation = firstGrade.data.rubrics.find((r) => r.rubricId === 'implementation')!;
    expect(implementation).toMatchObject({ mode: 'gating', passed: false });
    expect(implementation.gates.find((g) => g.id === 'module_loads')).toMatchObject({ passed: false, tier: 'deterministic' });
    expect(implementation.toReachNext.find((t) => t.id === 'module_loads')).toMatchObject({ fixType: 'local', stage: 'engineer', delta: expect.stringMatching(/^Run the code you delivered/) });
    const behavior = firstGrade.data.rubrics.find((r) => r.rubricId === 'engineer.trajectory')!;
    expect(behavior).toMatchObject({ mode: 'advisory', passed: false });
    expect(behavior.gates.find((g) => g.id === 'ran_tests_before_claim')).toMatchObject({ passed: false, tier: 'deterministic' });
    expect(firstGrade.data.route).toMatchObject({ fixType: 'local', stage: 'engineer', items: expect.arrayContaining(['module_loads']) });

    // The feedback came back and the revision ran the tests, for real, in its sandbox.
    const secondStart = of('task.started').find((t) => t.data.iteration === 2)!;
    expect(secondStart.data.feedback.map((f) => f.id)).toContain('module_loads');
    const testRuns = of('trace.step').filter((s) => s.data.iteration === 2 && s.data.tool === 'run_command' && s.data.input.includes(goal.testCommand));
    expect(testRuns.length).toBeGreaterThan(0);
    expect(testRuns[0].data.exitCode).toBe(0);
    expect(testRuns[0].data.output).toMatch(/all assertions hold/);
    expect(secondWork.data.iteration).toBe(2);
    expect(secondGrade.data).toMatchObject({ passed: true, iteration: 2 });
    expect(secondGrade.data.rerun.exitCode).toBe(0);
    expect(of('task.completed')[0].data).toMatchObject({ iterations: 2, gradeId: secondGrade.data.gradeId });

    // The run ended with its one role: the run rubric was applied to it, by code.
    const runGrade = await until(async () => ofType((await harness.log.readRun(runId)) as typeof events, 'run.graded')[0]);
    expect(runGrade.data).toMatchObject({ outcome: 'done', grade: { rubricId: 'loop.run', passed: true }, features: { run_roles_unfinished: 0, run_extra_iterations: 1 } });

    // Replaying the run shows every step, decision (with its tier) and grade in log order.
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(types.indexOf('goal.submitted')).toBe(0);
    expect(types.lastIndexOf('trace.step')).toBeLessThan(types.lastIndexOf('grade.recorded'));
    const requested = new Set(of('decision.requested').map((d) => d.data.decisionId));
    const completed = of('decision.completed').filter((d) => !d.data.shadow);
    expect(new Set(completed.map((d) => d.data.decisionId))).toEqual(requested);
    for (const decision of completed) {
      const routedSeq = of('decision.routed').find((r) => r.data.decisionId === decision.data.decisionId)!.seq;
      const requestedSeq = of('decision.requested').find((r) => r.data.decisionId === decision.data.decisionId)!.seq;
      expect(requestedSeq).toBeLessThan(routedSeq);
      expect(routedSeq).toBeLessThan(decision.seq);
    }
    const byTier = completed.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.data.tier]: (acc[d.data.tier] ?? 0) + 1 }), {});
    console.log(`decisions by tier for ${runId}: ${JSON.stringify(byTier)}`);
    expect(byTier['deterministic']).toBeGreaterThan(0);
    expect(byTier['frontier']).toBeGreaterThan(0);
    expect(completed.every((d) => d.data.simulated || d.data.tier === 'deterministic')).toBe(true);
  }, 120_000);

  it('serves /health and /metrics with the architecture\'s metric names from every service', async () => {
    const expected: Record<string, string[]> = {
      router: ['loopwright_decisions_total{', 'loopwright_decision_cost_usd_total{', 'loopwright_consumer_pending{consumer="router-decision-requested"'],
      executor: ['loopwright_inner_loop_iterations_bucket', 'loopwright_consumer_pending{consumer="executor-goal-submitted"'],
      grader: ['loopwright_grades_total{role="engineer",rubric="engineer.trajectory"', 'loopwright_consumer_pending{consumer="grader-work-produced"'],
    };
    for (const [name, metrics] of Object.entries(expected)) {
      const url = await harness.services.get(name)!.url;
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ service: name, status: 'ok', stream: harness.config.streamName });
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const metric of metrics) expect(text).toContain(metric);
    }
  });
});
