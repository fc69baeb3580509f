import { DEFAULT_WORKLOAD_PATH } from '@loopwright/models';
import { createTestSchema, dropTestStream, testLogConfig, TestSchema } from '@loopwright/testing';
import { DemoResult, runDemo } from './run-demo';

/**
 * The outer loop on the simulated engineer workload, every service a process of its own: the
 * miner proposes and validates rules, a reviewer approves them (through the same rule decider as
 * `loopwright rules approve`), they are promoted, and the frontier share of grader decisions falls.
 */
describe('the outer loop over 200 simulated runs', () => {
  const RUNS = 200;
  const WINDOW = 20;
  let result: DemoResult;
  let schema: TestSchema;
  const base = testLogConfig('outer');

  beforeAll(async () => {
    schema = await createTestSchema('outer');
    result = await runDemo({
      runs: RUNS,
      seed: 'outer-loop-test',
      window: WINDOW,
      concurrency: 4,
      workloadPath: DEFAULT_WORKLOAD_PATH,
      log: { ...base, producer: 'submitter', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` },
      dbSchema: schema.schema,
      databaseUrl: schema.databaseUrl,
      heldOutRuns: WINDOW,
    });
    const figures = result.graderWindows.map((w) => `${w.runs}: ${(w.frontierShare * 100).toFixed(1)}%`).join(', ');
    console.log(`frontier share of grader decisions per window: ${figures}\nagreement on held-out runs: ${result.agreement} over ${result.agreementChecks} checks; promoted: ${result.promoted.map((r) => r.key).join(', ')}`);
  }, 600_000);

  afterAll(async () => {
    await schema.drop();
    await dropTestStream(base.natsUrl, base.streamName);
  });

  it('promotes mined rules, and the frontier share of grader decisions in the last window is at most half the first', () => {
    expect(result.runs).toBe(RUNS);
    expect(result.promoted.length).toBeGreaterThan(0);
    const first = result.graderWindows[0];
    const last = result.graderWindows[result.graderWindows.length - 1];
    expect(last.frontierShare).toBeLessThanOrEqual(first.frontierShare / 2);
  });

  it('agrees with the frontier judge on the same items of held-out runs at least 95% of the time', () => {
    expect(result.agreementChecks).toBeGreaterThan(50);
    expect(result.agreement).toBeGreaterThanOrEqual(0.95);
  });

  it('never lets a golden known-bad pass, and leaves a log whose audit chain verifies', () => {
    expect(result.goldenKnownBadPassed).toBe(0);
    expect(result.audit.ok).toBe(true);
  });
});
