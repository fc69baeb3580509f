import { createEvent } from '@loopwright/events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointEvent, EventLog, LogConfig, verifyLog, withFullDescription } from '@loopwright/eventlog';
import { openDatabase, PROJECTION_MIGRATIONS, replayProjections } from '@loopwright/projections';
import { createTestSchema, dropTestStream, testLogConfig } from '@loopwright/testing';
import { EXIT } from './cli-context';
import { runCli } from './main';

describe('the loopwright CLI against a real log', () => {
  let config: LogConfig;
  let log: EventLog;
  const output: string[] = [];

  beforeAll(async () => {
    const base = testLogConfig('cli');
    config = { ...base, producer: 'miner', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    Object.assign(process.env, { NATS_URL: config.natsUrl, LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot });
    log = await EventLog.open(config);
    jest.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
    jest.spyOn(console, 'error').mockImplementation((line: string) => void output.push(line));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  beforeEach(() => {
    output.length = 0;
    process.exitCode = undefined;
  });

  it('submits a goal from flags and refuses an invalid one with exit code 2, naming the fields', async () => {
    const ok = await runCli([
      'goal', 'submit', '--run-id', 'run-cli-1', '--title', 'Add sum', '--description', 'sum(a, b)', '--role', 'engineer',
      '--allow', 'src/**', '--test', 'node test.js', '--budget', '0.5', '--backend', 'sim',
    ]);
    expect(ok).toBe(EXIT.ok);
    const [goal] = await log.readRun('run-cli-1');
    expect(goal).toMatchObject({ type: 'goal.submitted', data: { title: 'Add sum', budgetUsd: 0.5, roles: ['engineer'], backend: 'sim' } });

    const bad = await runCli(['goal', 'submit', '--title', 'No description']);
    expect(bad).toBe(EXIT.usage);
    expect(output.join('\n')).toMatch(/description: .*testCommand: .*Give it in a YAML file/s);

    // an imported run's id: every service would refuse a goal the executor drives under it
    const underImportId = await runCli([
      'goal', 'submit', '--run-id', 'imp-cli-1', '--title', 'Add sum', '--description', 'sum(a, b)', '--role', 'engineer',
      '--allow', 'src/**', '--test', 'node test.js', '--budget', '0.5', '--backend', 'sim',
    ]);
    expect(underImportId).toBe(EXIT.usage);
    expect(output.join('\n')).toMatch(/run imp-cli-1 names backend sim, but a run id starting imp- is an import's/);
    expect(await log.readRun('imp-cli-1')).toEqual([]);
  });

  it('refuses a run id that exists; keeps a long description in the artifact store; refuses a goal too large for the log, naming the field', async () => {
    const submit = (...extra: string[]) => runCli([
      'goal', 'submit', '--run-id', 'run-cli-again', '--title', 'Add sum', '--description', 'sum(a, b)', '--role', 'engineer',
      '--allow', 'src/**', '--test', 'node test.js', '--budget', '0.5', '--backend', 'sim', ...extra,
    ]);
    expect(await submit()).toBe(EXIT.ok);
    expect(await submit('--budget', '50')).toBe(EXIT.usage);
    expect(output.join('\n')).toMatch(/run run-cli-again already exists .*a run keeps its first goal, so submit this one under another run id/);
    expect((await log.readRun('run-cli-again')).map((e) => e.type === 'goal.submitted' && e.data.budgetUsd)).toEqual([0.5]);

    output.length = 0;
    const huge = `${'Parse every record. '.repeat(50)}${'x'.repeat(5 * 1024 * 1024)}`;
    const goalArgs = ['--title', 'Huge', '--role', 'engineer', '--allow', 'src/**', '--test', 'node test.js', '--budget', '0.5', '--backend', 'sim'];
    expect(await runCli(['goal', 'submit', '--run-id', 'run-cli-long', '--description', huge, ...goalArgs])).toBe(EXIT.ok);
    const [goal] = await log.readRun('run-cli-long');
    if (goal?.type !== 'goal.submitted' || !goal.data.descriptionDigest) throw new Error('expected the long description kept by digest');
    expect(goal.data.description.length).toBeLessThan(10_000);
    expect(goal.data.description).toMatch(/^Parse every record\. .*the full description is artifact [0-9a-f]{64}\]$/s);
    expect((await withFullDescription(goal.data, () => log.artifacts())).description).toBe(huge);

    output.length = 0;
    const dir = await mkdtemp(join(tmpdir(), 'goal-'));
    const goalFile = join(dir, 'goal.yaml');
    await writeFile(goalFile, JSON.stringify({ description: 'sum(a, b)', seedFiles: [{ path: 'src/blob.txt', content: 'x'.repeat(5 * 1024 * 1024) }] }));
    const tooLarge = await runCli(['goal', 'submit', '--run-id', 'run-cli-huge', '--file', goalFile, ...goalArgs]);
    await rm(dir, { recursive: true, force: true });
    expect(tooLarge).toBe(EXIT.usage);
    expect(output.join('\n')).toMatch(/goal.submitted .* over the log's limit .*: data.seedFiles is 5\.0 MiB/);
    expect(await log.readRun('run-cli-huge')).toEqual([]);
  });

  it('verifies the audit chain, and names the divergence when a checkpoint does not match', async () => {
    const honest = await verifyLog(log);
    if (!honest.ok) throw new Error('expected an honest log');
    await log.append(checkpointEvent({ uptoSeq: honest.lastSeq, chainHash: honest.chainHash, eventsCovered: honest.checked }));
    expect(await runCli(['audit', 'verify'])).toBe(EXIT.ok);
    expect(output.at(-1)).toMatch(/^ok: \d+ events from seq 1/);

    await log.append(checkpointEvent({ uptoSeq: 1, chainHash: 'f'.repeat(64), eventsCovered: 1 }, 'forged'));
    expect(await runCli(['audit', 'verify'])).toBe(EXIT.failed);
    expect(output.at(-1)).toMatch(/diverges at seq 1 /);
  });

  it('resolves an open review once, and refuses an unknown or already resolved one', async () => {
    await log.append(
      createEvent({
        type: 'review.requested', aggregateId: 'rv-cli', producer: 'miner',
        data: { reviewId: 'rv-cli', reason: 'scope-call', summary: 'a rubric line needs a person' },
      }),
    );
    expect(await runCli(['reviews', 'resolve', 'rv-none', '--resolution', 'accept', '--by', 'ada'])).toBe(EXIT.failed);
    expect(await runCli(['reviews', 'resolve', 'rv-cli', '--resolution', 'maybe', '--by', 'ada'])).toBe(EXIT.usage);
    expect(await runCli(['reviews', 'resolve', 'rv-cli', '--resolution', 'accept', '--by', 'ada'])).toBe(EXIT.ok);
    expect(await runCli(['reviews', 'resolve', 'rv-cli', '--resolution', 'reject', '--by', 'bob'])).toBe(EXIT.failed);
    expect(output.at(-1)).toMatch(/already resolved \(accept by ada\)/);
  });

  it('replays a run and re-derives its deterministic decisions from the recorded inputs', async () => {
    const features = { claims_tests_pass: true, test_runs: 0 };
    const common = { aggregateId: 'run-cli-2', correlationId: 'run-cli-2' };
    await log.appendMany([
      createEvent({ ...common, type: 'decision.requested', producer: 'grader', data: { decisionId: 'd1', key: 'grader:engineer:gate:ran_tests_before_claim', requester: 'grader', role: 'engineer', kind: 'gate', builtinCheck: 'claimed_tested_without_running', estimatedUsd: 0, features } }),
      createEvent({ ...common, type: 'decision.routed', producer: 'router', data: { decisionId: 'd1', key: 'grader:engineer:gate:ran_tests_before_claim', tier: 'deterministic', reason: 'built-in check', reservedUsd: 0 } }),
      createEvent({ ...common, type: 'decision.completed', producer: 'grader', data: { decisionId: 'd1', key: 'grader:engineer:gate:ran_tests_before_claim', tier: 'deterministic', verdict: 'fail', confidence: 1, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0 } }),
    ]);
    expect(await runCli(['audit', 'replay', '--run', 'run-cli-2'])).toBe(EXIT.ok);
    expect(output.join('\n')).toMatch(/re-derived 1 deterministic decision\(s\): 1 match the record/);
    expect(await runCli(['audit', 'replay', '--run', 'no-such-run'])).toBe(EXIT.usage);
  });

  it('approves a validated rule, and refuses one that does not exist or is not yet validated, saying why', async () => {
    const proposed = (ruleId: string) =>
      createEvent({
        type: 'rule.proposed', aggregateId: ruleId, producer: 'miner',
        data: {
          ruleId, kind: 'deterministic', key: 'grader:engineer:gate:claims_match_evidence', role: 'engineer',
          predicate: { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'rerun_passed', eq: false }] },
          verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', scopeCall: false,
          evidence: { support: 120, precision: 1, recall: 1, exampleEventIds: [] },
        },
      });
    await log.append(proposed('r-early'));
    await log.append(proposed('r-ready'));
    await log.append(
      createEvent({
        type: 'rule.validated', aggregateId: 'r-ready', producer: 'miner',
        data: { ruleId: 'r-ready', golden: { checked: 9, changed: [] }, history: { precision: 1, recall: 1, n: 40 } },
      }),
    );
    expect(await runCli(['rules', 'approve', 'r-missing', '--by', 'ada'])).toBe(EXIT.failed);
    expect(output.at(-1)).toMatch(/rule r-missing does not exist/);
    expect(await runCli(['rules', 'approve', 'r-early', '--by', 'ada'])).toBe(EXIT.failed);
    expect(output.at(-1)).toMatch(/rule r-early is proposed, not validated: it can be approved once validation passes/);
    expect(await runCli(['rules', 'approve', 'r-ready', '--by', 'ada'])).toBe(EXIT.ok);
    const approvals = [];
    for await (const stored of log.replay({ filter: `${config.subjectRoot}.rule.*.submitter.rule.approved` })) approvals.push(stored.event?.data);
    expect(approvals).toEqual([{ ruleId: 'r-ready', by: 'ada', note: '' }]);
    expect(await runCli(['rules', 'show', 'r-ready'])).toBe(EXIT.ok);
    expect(output.join('\n')).toMatch(/says {6}fail when claims_tests_pass = true and rerun_passed = false, else pass/);
  });

  it("shows how a run ended, each role with its state, from the projections", async () => {
    const run = { aggregateId: 'run-cli-end', correlationId: 'run-cli-end' };
    const executor = await EventLog.open({ ...config, producer: 'executor' });
    const submitter = await EventLog.open({ ...config, producer: 'submitter' });
    try {
      await submitter.append(createEvent({
        type: 'goal.submitted', ...run, producer: 'submitter',
        data: { goalId: 'g', title: 'Plan and build', description: 'd', roles: ['planner', 'engineer'], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 1, backend: 'sim' },
      }));
      await executor.append(createEvent({
        type: 'run.ended', ...run, producer: 'executor',
        data: { runId: 'run-cli-end', status: 'stuck', reason: 'stuck after 3 iteration(s)', tasks: [{ role: 'planner', status: 'stuck' }, { role: 'engineer', status: 'blocked' }] },
      }));
    } finally {
      await executor.close();
      await submitter.close();
    }
    const schema = await createTestSchema('cli_runs');
    const db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
    const env = { DATABASE_URL: process.env['DATABASE_URL'], LOOP_DB_SCHEMA: process.env['LOOP_DB_SCHEMA'] };
    try {
      await replayProjections(log, db);
      Object.assign(process.env, { DATABASE_URL: schema.databaseUrl, LOOP_DB_SCHEMA: schema.schema });
      expect(await runCli(['runs', 'list'])).toBe(EXIT.ok);
      expect(output.find((l) => l.startsWith('run-cli-end'))).toMatch(/^run-cli-end +stuck .*Plan and build \(simulated\); planner stuck → engineer blocked$/);
      expect(await runCli(['runs', 'show', 'run-cli-end'])).toBe(EXIT.ok);
      expect(output).toContain('  ended stuck: stuck after 3 iteration(s)');
    } finally {
      for (const [name, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await db.destroy();
      await schema.drop();
    }
  });

  it("shows each behavior rubric as advisory until the grader's calibration makes it gate", async () => {
    expect(await runCli(['rules', 'calibrations'])).toBe(EXIT.ok);
    expect(output.find((l) => l.includes('engineer.trajectory'))).toMatch(/engineer\.trajectory v1 +advisory +no calibration yet/);
    const grader = await EventLog.open({ ...config, producer: 'grader' });
    try {
      await grader.append(
        createEvent({
          type: 'rubric.calibrated', aggregateId: 'cal-engineer-trajectory', producer: 'grader',
          data: {
            calibrationId: 'cal-engineer-trajectory-v1-12', rubricId: 'engineer.trajectory', rubricVersion: 1, runs: 12, samples: 12,
            passed: { n: 7, mean: 0.86 }, failed: { n: 5, mean: 0.41 }, separation: 0.45, minRuns: 10, minSeparation: 0.15, gating: true, reason: 'separates',
          },
        }),
      );
    } finally {
      await grader.close();
    }
    output.length = 0;
    expect(await runCli(['rules', 'list'])).toBe(EXIT.ok);
    expect(output.find((l) => l.includes('engineer.trajectory'))).toMatch(/engineer\.trajectory v1 +gating +over 12 run\(s\): passing 0\.860, failing 0\.410, separation 0\.450/);
    expect(output.find((l) => l.includes('tester.trajectory'))).toMatch(/advisory +no calibration yet/);
  });
});
