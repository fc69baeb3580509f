import type { DataSource } from 'typeorm';
import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig, StoredEvent } from '@loopwright/eventlog';
import { openDatabase, PROJECTION_MIGRATIONS, replayProjections } from '@loopwright/projections';
import { scenarioEvents } from '@loopwright/projections/testing';
import type { RunningService } from '@loopwright/service';
import { createTestSchema, dropTestStream, testLogConfig, TestSchema } from '@loopwright/testing';
import { startConsole } from './main';

const ACTION_TOKEN = 'action-token-for-the-api-test';
const READ_TOKEN = 'read-token-for-the-api-test';

describe('the console API over real projections and a real log', () => {
  let config: LogConfig;
  let log: EventLog;
  let schema: TestSchema;
  let db: DataSource;
  let console_: RunningService;
  let fixtureSeq: number;
  const scenario = scenarioEvents({ runs: 8, seed: 11 });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body = (response: Response): Promise<any> => response.json();
  const project = () => replayProjections(log, db);
  const call = (path: string, init: RequestInit & { token?: string; json?: unknown } = {}, base = console_.url) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        ...(init.json !== undefined && { 'Content-Type': 'application/json' }),
        ...(init.token !== undefined && { Authorization: `Bearer ${init.token}` }),
        ...init.headers,
      },
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
  /** `token: null` sends none. */
  const post = (path: string, json: unknown, token: string | null = ACTION_TOKEN, base?: string) =>
    call(path, { method: 'POST', json, token: token ?? undefined }, base);
  const eventsSince = async (seq: number): Promise<StoredEvent[]> => {
    const out: StoredEvent[] = [];
    for await (const stored of log.replay({ fromSeq: seq + 1 })) out.push(stored);
    return out;
  };

  beforeAll(async () => {
    const base = testLogConfig('console_api');
    config = { ...base, producer: 'miner', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    Object.assign(process.env, { NATS_URL: config.natsUrl, LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot });
    log = await EventLog.open(config);
    schema = await createTestSchema('console_api');
    db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
    const rule = (ruleId: string): LoopEvent =>
      createEvent({
        type: 'rule.proposed', aggregateId: ruleId, producer: 'miner',
        data: {
          ruleId, kind: 'deterministic', key: 'grader:engineer:gate:ran_tests_before_claim', role: 'engineer',
          predicate: { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'test_runs', eq: 0 }] },
          verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', scopeCall: true, evidence: { support: 140, precision: 0.98, recall: 0.93, exampleEventIds: [] },
        },
      });
    await log.appendMany([
      ...scenario,
      createEvent({
        type: 'review.requested', aggregateId: 'rv-open', producer: 'router', correlationId: 'run-2',
        data: { reviewId: 'rv-open', runId: 'run-2', reason: 'budget', summary: 'the goal spent its budget', items: ['executor:engineer:draft'] },
      }),
      rule('r-early'),
      rule('r-ready'),
      createEvent({
        type: 'rule.validated', aggregateId: 'r-ready', producer: 'miner',
        data: { ruleId: 'r-ready', golden: { checked: 9, changed: ['g-3'] }, history: { precision: 0.97, recall: 0.91, n: 40 } },
      }),
    ]);
    fixtureSeq = (await project()).lastSeq;
    console_ = await startConsole({ port: 0, db, config: { actionToken: ACTION_TOKEN, pollMs: 50 } });
  });

  afterAll(async () => {
    await console_?.stop();
    await db?.destroy();
    await schema?.drop();
    await log?.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('answers /health and /metrics without a token', async () => {
    const health = await call('/health');
    expect(health.status).toBe(200);
    expect(await body(health)).toMatchObject({ service: 'console', status: 'ok', stream: config.streamName });
    expect(await (await call('/metrics')).text()).toMatch(/service="console"/);
  });

  it('lists runs newest first, filtered by status, role, backend and text', async () => {
    const goals = scenario.filter((e): e is Extract<LoopEvent, { type: 'goal.submitted' }> => e.type === 'goal.submitted');
    const all = await body(await call('/api/runs'));
    expect(all.map((r: { runId: string }) => r.runId)).toEqual(goals.map((g) => g.aggregateId).reverse());

    const architects = await body(await call('/api/runs?role=architect'));
    const expectedArchitects = goals.filter((g) => g.data.roles.includes('architect')).map((g) => g.aggregateId).reverse();
    expect(expectedArchitects.length).toBeGreaterThan(0);
    expect(architects.map((r: { runId: string }) => r.runId)).toEqual(expectedArchitects);

    const sim = await body(await call('/api/runs?backend=sim'));
    expect(sim.map((r: { runId: string }) => r.runId)).toEqual(goals.filter((g) => g.data.backend === 'sim').map((g) => g.aggregateId).reverse());

    const stuck = await body(await call('/api/runs?status=stuck'));
    const stuckRuns = scenario.filter((e) => e.type === 'run.ended' && e.data.status === 'stuck').map((e) => e.aggregateId);
    expect(stuckRuns.length).toBeGreaterThan(0);
    expect(stuck.map((r: { runId: string }) => r.runId)).toEqual([...stuckRuns].reverse());
    expect(stuck[0].end).toEqual({ reason: expect.any(String), roles: expect.arrayContaining([expect.objectContaining({ status: 'stuck' })]) });

    expect((await body(await call('/api/runs?text=goal 3'))).map((r: { runId: string }) => r.runId)).toEqual(['run-3']);
    const badLimit = await call('/api/runs?limit=lots');
    expect(badLimit.status).toBe(400);
    expect((await body(badLimit)).error).toMatch(/limit must be a positive whole number/);
  });

  it("shows a run's timeline: iterations with their grades and feedback, every decision with its tier and cost", async () => {
    const runId = 'run-1';
    const events = scenario.filter((e) => e.aggregateId === runId);
    const timeline = await body(await call(`/api/runs/${runId}`));
    const grades = events.filter((e): e is Extract<LoopEvent, { type: 'grade.recorded' }> => e.type === 'grade.recorded');
    expect(timeline.iterations.map((i: { gradeId: string; passed: boolean }) => [i.gradeId, i.passed])).toEqual(grades.map((g) => [g.data.gradeId, g.data.passed]));
    for (const [i, grade] of grades.entries()) {
      const sentBack = grade.data.passed ? [] : grade.data.rubrics.flatMap((r) => r.toReachNext.map((t) => [t.id, t.delta]));
      expect(timeline.iterations[i].feedback.map((f: { itemId: string; delta: string }) => [f.itemId, f.delta]).sort()).toEqual(sentBack.sort());
      const items = timeline.grades[i].items;
      expect(items).toHaveLength(grade.data.rubrics.reduce((n, r) => n + r.gates.length + r.dimensions.length, 0));
      expect(items.every((item: { tier: string }) => ['frontier', 'resident', 'deterministic', 'human'].includes(item.tier))).toBe(true);
    }
    const completed = events.filter((e): e is Extract<LoopEvent, { type: 'decision.completed' }> => e.type === 'decision.completed' && !e.data.shadow);
    expect(timeline.decisions.map((d: { decisionId: string; tier: string; costUsd: number }) => [d.decisionId, d.tier, d.costUsd])).toEqual(
      completed.map((d) => [d.data.decisionId, d.data.tier, d.data.costUsd]),
    );
    const frontierCost = completed.filter((d) => d.data.tier === 'frontier').reduce((sum, d) => sum + d.data.costUsd, 0);
    expect(timeline.costByTier.frontier.costUsd).toBeCloseTo(frontierCost, 10);

    const missing = await call('/api/runs/run-none');
    expect(missing.status).toBe(404);
    expect((await body(missing)).error).toMatch(/no run run-none in the projections: see GET \/api\/runs/);
  });

  it('gives tier share per run and per window, with the frontier trend, as counted from the log', async () => {
    const view = await body(await call('/api/tier-share?window=4'));
    const completed = scenario.filter((e): e is Extract<LoopEvent, { type: 'decision.completed' }> => e.type === 'decision.completed' && !e.data.shadow);
    for (const run of view.perRun) {
      const ofRun = completed.filter((d) => d.aggregateId === run.runId);
      expect(run.decisions).toBe(ofRun.length);
      expect(run.frontierShare).toBeCloseTo(ofRun.filter((d) => d.data.tier === 'frontier').length / ofRun.length, 10);
      expect(run.costUsd).toBeCloseTo(ofRun.reduce((sum, d) => sum + d.data.costUsd, 0), 10);
    }
    expect(view.perRun).toHaveLength(8);
    expect(view.windowSize).toBe(4);
    expect(view.windows).toHaveLength(2);
    const frontierIn = (runs: string[]) => completed.filter((d) => runs.includes(d.aggregateId));
    const firstWindow = frontierIn(['run-0', 'run-1', 'run-2', 'run-3']);
    expect(view.trend.first).toBeCloseTo(firstWindow.filter((d) => d.data.tier === 'frontier').length / firstWindow.length, 10);
    expect(view.chart[0].runs).toBe('1-4');
    expect((await call('/api/tier-share?window=0')).status).toBe(400);
  });

  it('refuses actions without the token or with a wrong one, saying what to send', async () => {
    const none = await post('/api/reviews/rv-open/resolve', { resolution: 'accept', by: 'ada' }, null);
    expect(none.status).toBe(401);
    expect((await body(none)).error).toMatch(/send "Authorization: Bearer <CONSOLE_TOKEN>"/);
    const wrong = await post('/api/reviews/rv-open/resolve', { resolution: 'accept', by: 'ada' }, 'not-the-token');
    expect(wrong.status).toBe(401);
    expect((await body(wrong)).error).toMatch(/does not match CONSOLE_TOKEN/);
    const goal = await post('/api/goals', { title: 'x' }, 'not-the-token');
    expect(goal.status).toBe(401);
    expect(await eventsSince(fixtureSeq)).toEqual([]);
  });

  it('lists the open reviews and resolves one once through the log, refusing bad input, unknown and repeated answers', async () => {
    const open = await body(await call('/api/reviews?status=open'));
    expect(open.map((r: { reviewId: string }) => r.reviewId)).toEqual(['rv-open']);
    expect((await call('/api/reviews?status=maybe')).status).toBe(400);

    const invalid = await post('/api/reviews/rv-open/resolve', { resolution: 'maybe', by: '' });
    expect(invalid.status).toBe(400);
    const { error, issues } = await body(invalid);
    expect(error).toMatch(/resolution: must be accept, reject or retry; by: say who decides/);
    expect(issues.map((i: { path: string }) => i.path)).toEqual(['resolution', 'by']);

    expect((await post('/api/reviews/rv-none/resolve', { resolution: 'accept', by: 'ada' })).status).toBe(404);
    expect((await post('/api/reviews/*/resolve', { resolution: 'accept', by: 'ada' })).status).toBe(404);
    const ok = await post('/api/reviews/rv-open/resolve', { resolution: 'retry', by: 'ada', note: 'raise the budget' });
    expect(ok.status).toBe(200);
    expect(await body(ok)).toEqual({ reviewId: 'rv-open', resolution: 'retry' });
    const again = await post('/api/reviews/rv-open/resolve', { resolution: 'reject', by: 'bob' });
    expect(again.status).toBe(409);
    expect((await body(again)).error).toBe('review rv-open was already resolved (retry by ada)');

    await project();
    const resolved = await body(await call('/api/reviews?status=resolved'));
    expect(resolved.find((r: { reviewId: string }) => r.reviewId === 'rv-open')).toMatchObject({ resolution: 'retry', resolvedBy: 'ada' });
  });

  it('shows rules with their validation evidence and approves or rejects them through the rule decider', async () => {
    const rules = await body(await call('/api/rules'));
    const ready = rules.find((r: { ruleId: string }) => r.ruleId === 'r-ready');
    expect(ready).toMatchObject({ state: 'validated', scopeCall: true, evidence: { support: 140, precision: 0.98 } });
    expect(ready.validations).toEqual([expect.objectContaining({ goldenChecked: 9, goldenChanged: ['g-3'], history: { precision: 0.97, recall: 0.91, n: 40 } })]);
    expect((await call('/api/rules/r-none')).status).toBe(404);

    const early = await post('/api/rules/r-early/approve', { by: 'ada' });
    expect(early.status).toBe(409);
    expect((await body(early)).error).toMatch(/rule r-early is proposed, not validated: it can be approved once validation passes/);
    expect((await post('/api/rules/r-missing/approve', { by: 'ada' })).status).toBe(404);
    expect((await post('/api/rules/r-early/reject', { by: 'ada' })).status).toBe(400);

    const approved = await post('/api/rules/r-ready/approve', { by: 'ada', note: 'checked the golden set' });
    expect(approved.status).toBe(200);
    expect(await body(approved)).toEqual({ ruleId: 'r-ready', appended: ['rule.approved'] });
    const rejected = await post('/api/rules/r-early/reject', { by: 'bob', reason: 'too broad' });
    expect(await body(rejected)).toEqual({ ruleId: 'r-early', appended: ['rule.rejected'] });

    await project();
    expect(await body(await call('/api/rules/r-early'))).toMatchObject({ state: 'rejected', rejectionReason: 'too broad (by bob)' });
    expect((await body(await call('/api/rules/r-ready'))).approvals).toEqual([expect.objectContaining({ by: 'ada' })]);
  });

  it('submits a goal checked by the goal schema, naming every missing field of an invalid one', async () => {
    const invalid = await post('/api/goals', { title: 'No description', budgetUsd: 'a lot' });
    expect(invalid.status).toBe(400);
    const answer = await body(invalid);
    expect(answer.error).toMatch(/^the goal is not valid: .*description: .*testCommand: .*Fill in title, description/);
    expect(answer.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['description', 'roles', 'allowedPaths', 'testCommand', 'budgetUsd']));
    expect((await post('/api/goals', { runId: 'run.with.dots', title: 't' })).status).toBe(400);
    expect((await post('/api/goals', { yaml: 'title: [unclosed' })).status).toBe(400);

    const ok = await post('/api/goals', {
      runId: 'run-console-1', title: 'Add sum', description: 'sum(a, b)', roles: 'engineer', allowedPaths: 'src/**', testCommand: 'node test.js',
      budgetUsd: '0.5', backend: 'sim', simGoal: 'sum', yaml: 'maxIterations: 2\nseedFiles:\n  - path: test.js\n    content: "1"\n',
    });
    expect(ok.status).toBe(201);
    expect(await body(ok)).toMatchObject({ runId: 'run-console-1', duplicate: false });
    const [goal] = await log.readRun('run-console-1');
    expect(goal).toMatchObject({
      type: 'goal.submitted', producer: 'submitter',
      data: { goalId: 'run-console-1', roles: ['engineer'], allowedPaths: ['src/**'], budgetUsd: 0.5, maxIterations: 2, labels: { simGoal: 'sum' }, seedFiles: [{ path: 'test.js', content: '1' }] },
    });
  });

  it('pushes the projections position by server-sent events when it moves', async () => {
    const response = await fetch(`${console_.url}/api/events`);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    const positions: number[] = [];
    let buffer = '';
    const next = async (): Promise<number> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const frame = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          if (!frame.includes('event: projections')) continue;
          return JSON.parse(frame.find((line) => line.startsWith('data: '))!.slice(6)).position;
        }
        const { value } = await reader.read();
        buffer += new TextDecoder().decode(value);
      }
    };
    try {
      positions.push(await next());
      await log.append(createEvent({ type: 'review.requested', aggregateId: 'rv-later', producer: 'router', data: { reviewId: 'rv-later', reason: 'scope-call', summary: 'is this in scope?' } }));
      const { lastSeq } = await project();
      positions.push(await next());
      expect(positions[1]).toBeGreaterThan(positions[0]);
      expect(positions[1]).toBe(lastSeq);
      expect(await body(await call('/api/position'))).toEqual({ position: lastSeq });
    } finally {
      await reader.cancel();
    }
  });

  it('appended nothing but goal.submitted, review.resolved and rule.approved / rule.rejected, as the submitter', async () => {
    const mine = (await eventsSince(fixtureSeq)).filter((s) => s.event?.producer === 'submitter');
    expect(new Set(mine.map((s) => s.event!.type))).toEqual(new Set(['goal.submitted', 'review.resolved', 'rule.approved', 'rule.rejected']));
  });

  it('refuses every action with a message saying to set CONSOLE_TOKEN when it is unset, and guards reading with CONSOLE_READ_TOKEN', async () => {
    const locked = await startConsole({ port: 0, db, config: { readToken: READ_TOKEN, pollMs: 50 } });
    try {
      const refused = await post('/api/goals', { title: 'x' }, 'anything', locked.url);
      expect(refused.status).toBe(403);
      expect((await body(refused)).error).toMatch(/actions are switched off on this console: set CONSOLE_TOKEN/);

      expect((await call('/health', {}, locked.url)).status).toBe(200);
      const anonymous = await call('/api/runs', {}, locked.url);
      expect(anonymous.status).toBe(401);
      expect((await body(anonymous)).error).toMatch(/open it with \?token=<CONSOLE_READ_TOKEN>/);
      expect((await call('/api/runs', { token: 'wrong' }, locked.url)).status).toBe(401);
      expect((await call('/api/runs', { token: READ_TOKEN }, locked.url)).status).toBe(200);
      const page = await call(`/?token=${READ_TOKEN}`, {}, locked.url);
      expect(page.status).toBe(200);
      const cookie = page.headers.get('set-cookie')!.split(';')[0];
      expect((await call('/runs/run-1', { headers: { cookie } }, locked.url)).status).toBe(200);
    } finally {
      await locked.stop();
    }
  });
});
