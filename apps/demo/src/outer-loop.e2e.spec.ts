import { DEFAULT_WORKLOAD_PATH } from '@loopwright/models';
import { createTestSchema, DROP_TEST_STREAM_TIMEOUT_MS, dropTestStream, testLogConfig, TestSchema } from '@loopwright/testing';
import { DemoResult, runDemo } from './run-demo';

/**
 * The outer loop on the simulated engineer workload, every service a process of its own: the miner
 * proposes drafting at a cheaper tier from the frontier's graded drafts, a reviewer approves it
 * (through the same rule decider as `loopwright rules approve`), the executor drafts on the
 * resident, lints every draft and has one editorial pass on it; the scoreboard says which tier
 * each key sits at and why.
 */
describe('the outer loop over 60 simulated runs', () => {
  const RUNS = 60;
  const WINDOW = 20;
  let result: DemoResult;
  let schema: TestSchema;
  const base = testLogConfig('outer');

  // every ten runs ended the demo waits for a miner pass (the demo's default of five would double the wait here)
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
      paceEvery: 10,
    });
    const figures = result.windows.map((w) => `${w.runs}: F ${(w.frontierShare * 100).toFixed(1)}% R ${(w.residentShare * 100).toFixed(1)}% $${w.costUsd.toFixed(4)}`).join(', ');
    console.log(`tier share per window: ${figures}\nkeys: ${result.keys.map((k) => `${k.key} ${k.tier}`).join(', ')}`);
  }, 1_500_000);

  afterAll(async () => {
    await schema.drop();
    await dropTestStream(base.natsUrl, base.streamName);
  }, DROP_TEST_STREAM_TIMEOUT_MS);

  it('reports every window: the three tiers\' shares of all decisions add up, with the cost per run', () => {
    expect(result.runs).toBe(RUNS);
    expect(result.windows).toHaveLength(RUNS / WINDOW);
    for (const w of result.windows) {
      expect(w.frontierShare + w.residentShare + w.deterministicShare + w.humanShare).toBeCloseTo(1, 3);
      expect(w.costUsd).toBeGreaterThan(0);
    }
  });

  it('records the outer loop\'s passes in the log, at least one for every ten runs ended', () => {
    // a wait at 10, 20, … 50 runs ended, each for a pass that began after the wait's run ended; none after the last run
    expect(result.outerLoop.passes).toBeGreaterThanOrEqual(RUNS / 10 - 1);
    expect(result.outerLoop.meanPassMs).toBeGreaterThan(0);
  });

  it('accounts for every window\'s decisions key by key, the last window as each key\'s standing counts it', () => {
    const perKey = Object.values(result.keyWindows);
    result.windows.forEach((w, i) => {
      const counted = perKey.reduce((sum, windows) => sum + windows[i].frontier + windows[i].resident + windows[i].deterministic + windows[i].human, 0);
      expect(counted).toBe(w.decisions);
    });
    for (const k of result.keys) {
      const last = result.keyWindows[k.key]?.at(-1) ?? { frontier: 0, resident: 0, deterministic: 0, human: 0 };
      expect({ key: k.key, ...k.answered }).toEqual({ key: k.key, frontier: last.frontier, resident: last.resident, deterministic: last.deterministic, human: last.human });
    }
  });

  it('moves drafting to the resident from the history, and the cost per run falls with it', () => {
    const draft = result.keys.find((k) => k.key === 'executor:engineer:draft')!;
    expect(draft).toMatchObject({ tier: 'resident', ruleId: expect.stringMatching(/^r-executor-engineer-draft-g\d+$/) });
    expect(draft.answered.resident).toBeGreaterThan(0);
    expect(result.windows[0].residentShare).toBeLessThan(result.windows.at(-1)!.residentShare);
    expect(result.windows.at(-1)!.costUsd).toBeLessThan(result.windows[0].costUsd);
  });

  it('lints every resident draft deterministically, and gives a resident\'s first draft one editorial pass', () => {
    const lint = result.keys.find((k) => k.key === 'executor:engineer:lint')!;
    expect(lint).toMatchObject({ tier: 'deterministic', why: 'built-in check draft_lint' });
    const edit = result.keys.find((k) => k.key === 'executor:engineer:edit')!;
    const draft = result.keys.find((k) => k.key === 'executor:engineer:draft')!;
    expect(lint.answered.deterministic).toBeGreaterThanOrEqual(draft.answered.resident);
    expect(edit.answered.frontier + edit.answered.resident).toBe(draft.answered.resident);
  });

  it('keeps the ambiguous item at the frontier and says why; every key is accounted for', () => {
    const efficiency = result.keys.find((k) => k.key === 'grader:engineer:dimension:turn_economy')!;
    expect(efficiency).toMatchObject({ tier: 'frontier', why: expect.stringMatching(/rejected|no rule/) });
    expect(result.keys.filter((k) => k.key.startsWith('grader:engineer:gate:') && k.why.startsWith('built-in check')).length).toBeGreaterThanOrEqual(7);
  });

  it('never lets a golden known-bad pass, and leaves a log whose audit chain verifies', () => {
    expect(result.goldenKnownBadPassed).toBe(0);
    expect(result.audit.ok).toBe(true);
  });
});
