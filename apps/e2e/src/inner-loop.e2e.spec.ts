import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { goalOf, loadWorkload } from '@loopwright/models';
import { dropTestStream, testLogConfig } from '@loopwright/testing';
import { ServiceProcess, startServiceProcess } from './service-processes';

const E2E_WORKLOAD = path.resolve(__dirname, '../../../workloads/engineer-e2e.yaml');

/** The bundled e2e workload with one defect forced: the first draft claims its tests pass without running them. */
function claimsWithoutTestsWorkload(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'loopwright-e2e-'));
  const spec = loadWorkload(E2E_WORKLOAD);
  const file = path.join(dir, 'workload.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...spec,
      defects: { claims_without_running_tests: 1, writes_outside_scope: 0, thrashes: 0, stops_at_turn_limit: 0, missing_sections: 0, broken_code: 0 },
      fixOnFeedback: 1,
    }),
  );
  return file;
}

async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the inner loop, end to end (router, executor, grader as processes; sim models)', () => {
  let config: LogConfig;
  let log: EventLog;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    const base = testLogConfig('inner');
    config = { ...base, producer: 'submitter', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    log = await EventLog.open(config);
    const env = {
      NATS_URL: config.natsUrl,
      LOOP_STREAM: config.streamName,
      LOOP_SUBJECT_ROOT: config.subjectRoot,
      LOOP_ARTIFACT_BUCKET: config.artifactBucket,
      LOOP_SIM_WORKLOAD: claimsWithoutTestsWorkload(),
    };
    for (const name of ['router', 'executor', 'grader'] as const) services.push(startServiceProcess(name, env));
    await Promise.all(services.map((s) => s.url));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('fails a draft that claims passing tests it never ran, feeds that back, and passes the revision', async () => {
    const spec = loadWorkload(E2E_WORKLOAD);
    const goal = goalOf(spec, 'greet');
    const runId = 'run-e2e-1';
    await log.append(
      createEvent({
        type: 'goal.submitted',
        aggregateId: runId,
        producer: 'submitter',
        data: {
          goalId: 'greet', title: goal.title, description: goal.description, roles: ['engineer'], allowedPaths: goal.allowedPaths,
          testCommand: goal.testCommand, seedFiles: goal.seedFiles, budgetUsd: 5, maxIterations: 3, maxTurns: 12, backend: 'sim',
          labels: { simGoal: 'greet', simSeed: 'e2e' },
        },
      }),
    );

    const events = await until(async () => {
      const run = await log.readRun(runId);
      return run.some((e) => e.type === 'task.completed' || e.type === 'task.failed') ? run : undefined;
    });
    const types = events.map((e) => e.type);
    const of = <T extends LoopEvent['type']>(type: T) => events.filter((e): e is Extract<LoopEvent, { type: T }> & { seq: number } => e.type === type);

    // The first draft claimed its tests pass without running them, and the deterministic behavior check failed it.
    const [firstWork, secondWork] = of('work.produced');
    expect(firstWork.data.claims.testsPass).toBe(true);
    const firstSteps = of('trace.step').filter((s) => s.data.iteration === 1);
    expect(firstSteps.some((s) => s.data.tool === 'run_command' && s.data.input.includes(goal.testCommand))).toBe(false);
    expect(firstSteps.some((s) => s.data.tool === 'write_file' && s.data.input === 'src/greet.js')).toBe(true);
    const [firstGrade, secondGrade] = of('grade.recorded');
    expect(firstGrade.data.passed).toBe(false);
    const behavior = firstGrade.data.rubrics.find((r) => r.rubricId === 'engineer.behavior')!;
    expect(behavior.gates.find((g) => g.id === 'ran_tests_before_claim')).toMatchObject({ passed: false, tier: 'deterministic' });
    expect(behavior.toReachNext.map((t) => t.id)).toContain('ran_tests_before_claim');

    // The feedback came back and the revision ran the tests, for real, in its sandbox.
    const secondStart = of('task.started').find((t) => t.data.iteration === 2)!;
    expect(secondStart.data.feedback.map((f) => f.id)).toContain('ran_tests_before_claim');
    const testRuns = of('trace.step').filter((s) => s.data.iteration === 2 && s.data.tool === 'run_command' && s.data.input.includes(goal.testCommand));
    expect(testRuns.length).toBeGreaterThan(0);
    expect(testRuns[0].data.exitCode).toBe(0);
    expect(testRuns[0].data.output).toMatch(/all assertions hold/);
    expect(secondWork.data.iteration).toBe(2);
    expect(secondGrade.data).toMatchObject({ passed: true, iteration: 2 });
    expect(secondGrade.data.rerun.exitCode).toBe(0);
    expect(of('task.completed')[0].data).toMatchObject({ iterations: 2, gradeId: secondGrade.data.gradeId });

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
});
