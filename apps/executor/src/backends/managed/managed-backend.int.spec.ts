import Anthropic from '@anthropic-ai/sdk';
import { EventOf, GoalSubmitted, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { FakeManagedAgentsServer, ManagedScript, startFakeManagedAgentsServer, tarOf } from '@loopwright/models/testing';
import { decodeSnapshot } from '@loopwright/sandbox';
import { dropTestStream, testLogConfig } from '@loopwright/testing';
import type { AgentAssignment } from '../../domain/decide';
import type { BackendDeps } from '../executor-backend';
import { managedBackend, ManagedBackendOptions } from './managed-backend';
import { unpackWorkspace } from './workspace-archive';

const SUM_TEST = "const assert = require('node:assert/strict');\nassert.equal(require('../src/sum').sum(2, 3), 5);\nconsole.log('ok');\n";
const SUM = 'module.exports = { sum: (a, b) => a + b };\n';
const FINAL = '## Summary\nAdded sum.\n\n## Tests\nI ran the tests: all tests pass.';

function goalOf(overrides: Partial<GoalSubmitted> = {}): GoalSubmitted {
  return GoalSubmitted.parse({
    goalId: 'sum', title: 'Add sum', description: 'sum(a, b) in src/sum.js', roles: ['engineer'], allowedPaths: ['src/**'],
    testCommand: 'node test/sum.test.js', seedFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }], budgetUsd: 1, maxTurns: 10, backend: 'managed',
    ...overrides,
  });
}

function assignmentOf(runId: string, iteration = 1): AgentAssignment {
  return {
    runId, taskId: `${runId}-engineer`, role: 'engineer', iteration, decisionId: `${runId}-engineer-draft-${iteration}`, key: 'executor:engineer:draft',
    tier: 'frontier', feedback: [], causationId: 'c0ffee00-0000-7000-8000-000000000000',
  };
}

/** The work of a good engineer, as the runtime would report it. */
function goodSession(prefix: string) {
  return new ManagedScript(prefix)
    .tool('bash', { command: 'mkdir -p /workspace && tar -xf /mnt/session/uploads/workspace.tar -C /workspace' }, '')
    .tool('write', { file_path: '/workspace/src/sum.js', content: SUM }, 'File written')
    .tool('bash', { command: 'cd /workspace && node test/sum.test.js' }, 'ok')
    .tool('bash', { command: 'mkdir -p /mnt/session/outputs && tar -cf /mnt/session/outputs/workspace.tar -C /workspace .' }, '')
    .say(FINAL)
    .idle();
}

describe('the managed backend, against the Managed Agents wire format through the real SDK', () => {
  let config: LogConfig;
  let log: EventLog;
  let server: FakeManagedAgentsServer;
  const scripts = new Map<string, ReturnType<ManagedScript['build']>>();

  beforeAll(async () => {
    const base = testLogConfig('managed-backend');
    config = { ...base, producer: 'executor', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    log = await EventLog.open(config);
    server = await startFakeManagedAgentsServer();
    server.setScripts((prompt) => scripts.get(/\[script:([\w-]+)\]/.exec(prompt)?.[1] ?? ''));
  });
  afterAll(async () => {
    await server.close();
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  const backend = (options: Partial<ManagedBackendOptions> = {}) =>
    managedBackend({
      client: () => new Anthropic({ apiKey: 'sk-ant-test-managed', baseURL: server.url, maxRetries: 0 }),
      model: 'claude-sonnet-4-6', sessionTimeLimitMs: 60_000, reconnectDelayMs: 10, outputLookups: 5, outputLookupDelayMs: 50, ...options,
    });

  const deps = (overrides: Partial<BackendDeps> = {}): BackendDeps => ({
    append: (e) => log.append(e), readRun: (runId) => log.readRun(runId), commandTimeoutMs: 10_000, spend: undefined as never, turnEstimateUsd: 0.1, ...overrides,
    artifacts: undefined as never,
  });

  async function run(runId: string, script: ManagedScript | ReturnType<ManagedScript['build']>, options: { goal?: Partial<GoalSubmitted>; backend?: Partial<ManagedBackendOptions>; deps?: Partial<BackendDeps> } = {}) {
    scripts.set(runId, script instanceof ManagedScript ? script.build() : script);
    const goal = goalOf({ title: `Add sum [script:${runId}]`, ...options.goal });
    const result = await backend(options.backend).runSession(goal, assignmentOf(runId), { ...deps(options.deps), artifacts: await log.artifacts() });
    const events = await log.readRun(runId);
    return { result, events, steps: ofType(events, 'trace.step').map((e) => e.data), work: ofType(events, 'work.produced')[0]?.data };
  }

  const ofType = <T extends LoopEvent['type']>(events: readonly LoopEvent[], type: T) => events.filter((e): e is EventOf<T> => e.type === type);
  const sessionOf = (runId: string) => [...server.sessions.values()].find((s) => s.metadata['loopwright_run'] === runId)!;

  it('runs a session: the workspace goes up as an archive, each event is a step as it arrives, the delivered archive is the work', async () => {
    const outputs = [{ filename: 'workspace.tar', bytes: tarOf([{ path: 'test/sum.test.js', content: SUM_TEST }, { path: 'src/sum.js', content: SUM }]) }];
    const { result, events, steps, work } = await run('m-good', goodSession('good').build({ outputs }));

    expect(result.endedBy).toBe('finished');
    const opened = ofType(events, 'agent.session.opened');
    expect(opened).toHaveLength(1);
    expect(events.findIndex((e) => e.type === 'agent.session.opened')).toBeLessThan(events.findIndex((e) => e.type === 'trace.step'));
    expect(opened[0].data).toMatchObject({ backend: 'managed', sessionId: sessionOf('m-good').id, taskId: 'm-good-engineer', iteration: 1 });

    expect(steps.map((s) => [s.kind, s.tool, s.exitCode])).toEqual([
      ['command', 'bash', 0], ['edit', 'write', undefined], ['command', 'bash', 0], ['command', 'bash', 0], ['message', undefined, undefined],
      ['thought', 'managed-runtime', undefined],
    ]);
    expect(steps[1]).toMatchObject({ path: 'src/sum.js', editedBy: 'tool' });
    expect(steps[2].input).toBe('cd /workspace && node test/sum.test.js');
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(steps[5].output).toBe('delivered /mnt/session/outputs/workspace.tar: 2 file(s), 0 irregular entries');
    expect(work).toMatchObject({ endedBy: 'finished', turnsUsed: 5, files: ['src/sum.js'], finalMessage: FINAL, claims: { testsPass: true } });
    const delivered = decodeSnapshot(await (await log.artifacts()).get(work!.artifactDigest));
    expect(delivered).toContainEqual({ path: 'src/sum.js', content: SUM });
    const completed = ofType(events, 'decision.completed')[0].data;
    expect(completed.costUsd).toBeCloseTo(5 * (1_000 * 3 + 200 * 15) / 1e6, 9);

    const session = sessionOf('m-good');
    expect(session.prompt).toContain('Goal: Add sum');
    expect(session.prompt).toContain('Test command: node test/sum.test.js');
    const upload = server.requests.find((r) => r.method === 'POST' && r.path === '/v1/files')!;
    expect(upload).toBeDefined();
    expect(session.resources).toEqual([{ type: 'file', file_id: expect.stringMatching(/^file_/), mount_path: '/mnt/session/uploads/workspace.tar' }]);
    // The runtime's own outcome grading is never asked for: the grader grades from the record.
    expect(server.requests.filter((r) => JSON.stringify(r.body ?? '').includes('define_outcome'))).toEqual([]);
  }, 30_000);

  it('never reads a delivered archive past its size limit: the step says so, and the local copy with the tools\' edits stands', async () => {
    const padding = Array.from({ length: 8 }, (_, i) => ({ path: `pad/${i}.bin`, content: 'p'.repeat(16_000) }));
    const outputs = [{ filename: 'workspace.tar', bytes: tarOf([{ path: 'src/sum.js', content: 'module.exports = "from the archive";\n' }, ...padding]) }];
    const { steps, work } = await run('m-huge', goodSession('huge').build({ outputs }), { backend: { maxArchiveBytes: 64_000 } });
    expect(steps.at(-1)).toMatchObject({ kind: 'thought', tool: 'managed-runtime', refused: expect.stringMatching(/larger than 64000 bytes/) });
    const delivered = decodeSnapshot(await (await log.artifacts()).get(work!.artifactDigest));
    expect(delivered).toContainEqual({ path: 'src/sum.js', content: SUM });
  }, 30_000);

  it('uploads the starting workspace as a tar archive of the seed files', async () => {
    scripts.set('m-upload', goodSession('upload').build());
    const goal = goalOf({ title: 'Add sum [script:m-upload]' });
    const filesBefore = server.requests.filter((r) => r.path === '/v1/files' && r.method === 'POST').length;
    let uploaded: Uint8Array | undefined;
    const client = new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
    const upload = client.beta.files.upload.bind(client.beta.files);
    client.beta.files.upload = (async (params: Parameters<typeof upload>[0], opts?: Parameters<typeof upload>[1]) => {
      uploaded = new Uint8Array(await (params.file as Blob).arrayBuffer());
      return upload(params, opts);
    }) as typeof upload;
    await managedBackend({ client: () => client, model: 'claude-sonnet-4-6', sessionTimeLimitMs: 60_000, outputLookups: 1, outputLookupDelayMs: 0 })
      .runSession(goal, assignmentOf('m-upload'), { ...deps(), artifacts: await log.artifacts() });
    expect(server.requests.filter((r) => r.path === '/v1/files' && r.method === 'POST').length).toBe(filesBefore + 1);
    expect(unpackWorkspace(uploaded!).files).toEqual([{ path: 'test/sum.test.js', content: SUM_TEST }]);
  }, 30_000);

  it('reuses the agent and the environment it created: one of each across sessions', async () => {
    const creates = (path: string) => server.requests.filter((r) => r.method === 'POST' && r.path === path).length;
    expect(creates('/v1/agents')).toBe(1);
    expect(creates('/v1/environments')).toBe(1);
    await run('m-reuse', goodSession('reuse'));
    expect(creates('/v1/agents')).toBe(1);
    expect(creates('/v1/environments')).toBe(1);
  }, 30_000);

  it('interrupts a session that spends past the goal budget: the run ends by cost_limit and says so', async () => {
    const script = new ManagedScript('budget');
    for (let i = 0; i < 6; i++) script.tool('bash', { command: `echo ${i}` }, `${i}`, { usage: { input: 20_000, output: 2_000 } });
    const { steps, work } = await run('m-budget', script.idle(), { goal: { budgetUsd: 0.2 } });
    expect(work).toMatchObject({ endedBy: 'cost_limit' });
    expect(steps.at(-2)?.output ?? steps.at(-1)?.output).toMatch(/spent \$0\.2\d+ of its \$0\.2000 budget: interrupted/);
    const session = sessionOf('m-budget');
    expect(session.interrupted).toBe(true);
    expect(JSON.parse(session.metadata['loopwright_stop'])).toMatchObject({ endedBy: 'cost_limit' });
    // $0.09 a turn: the third turn's spend crosses $0.2, so its tool call is never recorded, nor anything after.
    expect(steps.filter((s) => s.kind === 'command').map((s) => s.input)).toEqual(['echo 0', 'echo 1']);
  }, 30_000);

  it('interrupts a session that begins a turn past the goal limit', async () => {
    const script = new ManagedScript('turns');
    for (let i = 0; i < 5; i++) script.tool('bash', { command: `echo ${i}` }, `${i}`);
    const { work, steps } = await run('m-turns', script.idle(), { goal: { maxTurns: 2 } });
    expect(work).toMatchObject({ endedBy: 'turn_limit', turnsUsed: 2 });
    expect(steps.some((s) => /began turn 3 of at most 2/.test(s.output))).toBe(true);
  }, 30_000);

  it('interrupts a session that runs past its time limit', async () => {
    const script = new ManagedScript('slow').tool('bash', { command: 'sleep 1' }, '').say('still working').idle().build({ beatMs: 400 });
    const { work, steps } = await run('m-slow', script, { backend: { sessionTimeLimitMs: 600 } });
    expect(work).toMatchObject({ endedBy: 'time_limit' });
    expect(steps.some((s) => /of at most 1 s: interrupted/.test(s.output))).toBe(true);
    expect(sessionOf('m-slow').interrupted).toBe(true);
  }, 30_000);

  it('reconnects when the event stream breaks, and records each step once', async () => {
    const script = new ManagedScript('broken')
      .tool('bash', { command: 'echo one' }, 'one')
      .breakStreams()
      .tool('bash', { command: 'echo two' }, 'two')
      .breakStreams()
      .say(FINAL)
      .idle();
    const { work, steps } = await run('m-broken', script);
    expect(work).toMatchObject({ endedBy: 'finished' });
    expect(sessionOf('m-broken').streamsOpened).toBeGreaterThanOrEqual(3);
    expect(steps.filter((s) => s.kind === 'command').map((s) => s.input)).toEqual(['echo one', 'echo two']);
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i));
  }, 30_000);

  it('refuses an event whose data is not JSON: the step says what came, the session is interrupted, the run ends by error', async () => {
    const script = new ManagedScript('garbage').tool('bash', { command: 'echo fine' }, 'fine').raw('{"type": "agent.message", "content": [').say('never read').idle();
    const { work, steps } = await run('m-garbage', script);
    expect(work).toMatchObject({ endedBy: 'error' });
    const refused = steps.find((s) => s.refused);
    expect(refused).toMatchObject({ kind: 'thought', tool: 'managed-runtime' });
    expect(refused!.refused).toMatch(/not JSON/);
    expect(steps.at(-1)!.output).toMatch(/ended by an error \(not retryable\): the runtime sent an event this executor cannot read/);
    expect(steps.some((s) => s.output === 'never read')).toBe(false);
    expect(sessionOf('m-garbage').interrupted).toBe(true);
  }, 30_000);

  it('refuses an event of a known type without its shape, and a tool result for a call never announced', async () => {
    const shapeless = new ManagedScript('shapeless').event({ type: 'agent.tool_use', input: 'rm -rf /' }).idle();
    const orphan = new ManagedScript('orphan').event({ type: 'agent.tool_result', tool_use_id: 'sevt_nowhere', content: [] }).idle();
    const first = await run('m-shapeless', shapeless);
    const second = await run('m-orphan', orphan);
    expect(first.work).toMatchObject({ endedBy: 'error' });
    expect(first.steps[0].refused).toMatch(/a agent\.tool_use event without its shape \(name: .*input: /);
    expect(first.steps[0].output).toContain('rm -rf /');
    expect(second.work).toMatchObject({ endedBy: 'error' });
    expect(second.steps[0].refused).toMatch(/a tool use the session never announced/);
  }, 30_000);

  it('tolerates event types it does not know: they are skipped, not garbage', async () => {
    const script = new ManagedScript('novel').event({ type: 'session.some_future_event', detail: 42 }, { type: 'agent.thinking' }).say(FINAL).idle();
    const { work, steps } = await run('m-novel', script);
    expect(work).toMatchObject({ endedBy: 'finished' });
    expect(steps.filter((s) => s.kind !== 'thought')).toEqual([expect.objectContaining({ kind: 'message' })]);
  }, 30_000);

  it('classes errors: a refused request ends the run by error, one worth retrying goes back to the log', async () => {
    server.fail({ method: 'POST', path: /^\/v1\/sessions$/ }, 400);
    const refused = await run('m-400', goodSession('r400'));
    expect(refused.work).toMatchObject({ endedBy: 'error' });
    expect(refused.steps.at(-1)!.output).toMatch(/not retryable\): Managed Agents refused a request: .*fake failure 400/);
    expect(ofType(refused.events, 'agent.session.opened')).toEqual([]);

    server.fail({ method: 'POST', path: /^\/v1\/sessions$/ }, 529);
    scripts.set('m-529', goodSession('r529').build());
    const attempt = backend().runSession(goalOf({ title: 'Add sum [script:m-529]' }), assignmentOf('m-529'), { ...deps(), artifacts: await log.artifacts() });
    await expect(attempt).rejects.toMatchObject({ name: 'UpstreamModelError', retryable: true });
    expect(ofType(await log.readRun('m-529'), 'work.produced')).toEqual([]);
  }, 30_000);

  it('finds the session again when the executor stopped between opening it and recording its id', async () => {
    scripts.set('m-orphan-open', goodSession('orphan-open').build());
    const goal = goalOf({ title: 'Add sum [script:m-orphan-open]' });
    const failing = deps({
      append: async (e) => {
        if (e.type === 'agent.session.opened') throw new Error('the executor died');
        return log.append(e);
      },
    });
    await expect(backend().runSession(goal, assignmentOf('m-orphan-open'), { ...failing, artifacts: await log.artifacts() })).rejects.toThrow('the executor died');
    await backend().runSession(goal, assignmentOf('m-orphan-open'), { ...deps(), artifacts: await log.artifacts() });
    const events = await log.readRun('m-orphan-open');
    expect([...server.sessions.values()].filter((s) => s.metadata['loopwright_run'] === 'm-orphan-open')).toHaveLength(1);
    expect(ofType(events, 'agent.session.opened')).toHaveLength(1);
    expect(ofType(events, 'work.produced')[0].data).toMatchObject({ endedBy: 'finished' });
  }, 30_000);

  it('after a crash mid-session, reattaches to the same session and records each step once', async () => {
    const script = new ManagedScript('crash');
    for (let i = 0; i < 6; i++) script.tool('bash', { command: `echo ${i}` }, `${i}`);
    scripts.set('m-crash', script.say(FINAL).idle().build({ beatMs: 30 }));
    const goal = goalOf({ title: 'Add sum [script:m-crash]' });
    let appended = 0;
    const crashing = deps({
      append: async (e) => {
        if (e.type === 'trace.step' && ++appended > 3) throw new Error('the executor died');
        return log.append(e);
      },
    });
    await expect(backend().runSession(goal, assignmentOf('m-crash'), { ...crashing, artifacts: await log.artifacts() })).rejects.toThrow('the executor died');
    const sessionsBefore = server.sessions.size;
    await new Promise((r) => setTimeout(r, 200));

    await backend().runSession(goal, assignmentOf('m-crash'), { ...deps(), artifacts: await log.artifacts() });
    const events = await log.readRun('m-crash');
    expect(server.sessions.size).toBe(sessionsBefore);
    expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/sessions' && JSON.stringify(r.body).includes('m-crash'))).toHaveLength(1);
    expect(ofType(events, 'agent.session.opened')).toHaveLength(1);
    const steps = ofType(events, 'trace.step').map((e) => e.data);
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i));
    expect(steps.filter((s) => s.kind === 'command').map((s) => s.input)).toEqual(['echo 0', 'echo 1', 'echo 2', 'echo 3', 'echo 4', 'echo 5']);
    expect(ofType(events, 'work.produced')[0].data).toMatchObject({ endedBy: 'finished', finalMessage: FINAL });
  }, 30_000);
});

