import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FakeMessagesServer } from '@loopwright/models/testing';
import { InnerLoopHarness, ofType, SeqEvent, until } from './harness';
import { AgentScript, startGullibleJudgeServer, startScriptedAgentServer } from './scripted-agent';

/**
 * The claude-agent-sdk backend end to end: the executor as a process runs Claude Code's agent
 * loop (the SDK's CLI, offline) against a local Messages API behind ANTHROPIC_BASE_URL; the
 * agent's only tools are the task's sandbox tools; the grader re-runs the tests itself.
 */

const SUM_TEST = "const assert = require('node:assert/strict');\nconst { sum } = require('../src/sum');\nassert.equal(sum(2, 3), 5);\nconsole.log('ok');\n";
const SUM = 'module.exports = { sum: (a, b) => a + b };\n';
const CLAIM = '## Summary\nAdded sum.\n\n## Tests\nI ran the tests: all tests pass.';
const write = (p: string, content: string) => ({ name: 'write_file' as const, input: { path: p, content } });
const run = (command: string) => ({ name: 'run_command' as const, input: { command } });

const SCRIPTS: Record<string, AgentScript> = {
  'sdk-good': { calls: [write('src/sum.js', SUM), run('node test/sum.test.js')], finalMessage: CLAIM },
  'sdk-turns': { calls: [run('echo 1'), run('echo 2'), run('echo 3'), run('echo 4'), run('echo 5')], finalMessage: CLAIM },
  'sdk-outside': { calls: [write('test/sum.test.js', 'process.exit(0)'), write('src/sum.js', 'module.exports = { sum: () => 0 };\n')], finalMessage: CLAIM },
  'sdk-budget': { calls: [run('echo 1'), run('echo 2'), run('echo 3'), run('echo 4')], finalMessage: CLAIM, usage: { input_tokens: 200_000, output_tokens: 20_000 } },
  'sdk-garbage': { calls: [write('src/sum.js', SUM), run('node test/sum.test.js')], finalMessage: CLAIM, garbageAt: 1 },
  'sdk-broken': { calls: [write('src/sum.js', SUM), run('node test/sum.test.js')], finalMessage: CLAIM, breakAt: 1 },
  'sdk-kill': { calls: [write('src/sum.js', SUM), run('echo a'), run('echo b'), run('echo c'), run('node test/sum.test.js')], finalMessage: CLAIM },
};

describe('the claude-agent-sdk backend, end to end (executor, router, grader as processes; Claude Code offline)', () => {
  let harness: InnerLoopHarness;
  let agent: FakeMessagesServer;
  let slowAgent: FakeMessagesServer;
  let judge: FakeMessagesServer;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'agent-sdk-state-'));

  beforeAll(async () => {
    // Commands run as an unprivileged uid of their own: the way to the workspace must be open to it.
    chmodSync(stateDir, 0o755);
    agent = await startScriptedAgentServer(new Map(Object.entries(SCRIPTS)), { toolPrefix: 'mcp__workspace__' });
    judge = await startGullibleJudgeServer();
    harness = await InnerLoopHarness.open('agentsdk', {
      ANTHROPIC_API_KEY: 'sk-ant-executor-agent-sdk-test', ANTHROPIC_BASE_URL: agent.url,
      LOOP_AGENT_SDK_STATE_DIR: stateDir, LOOP_ACK_WAIT_MS: '3000',
    }, { grader: { GRADER_ANTHROPIC_API_KEY: 'sk-ant-grader-agent-sdk-test', LOOPWRIGHT_MODEL_BASE_URL: judge.url } });
    await harness.start('router', 'executor', 'grader');
  }, 60_000);
  afterAll(async () => {
    await harness.close();
    await agent.close();
    await slowAgent?.close();
    await judge.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const submit = (runId: string, overrides: Record<string, unknown> = {}) =>
    harness.submit(runId, 'greet', {
      title: `Add sum [script:${runId}]`, description: 'sum(a, b) in src/sum.js', allowedPaths: ['src/**'], testCommand: 'node test/sum.test.js',
      seedFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }], backend: 'claude-agent-sdk', labels: {}, maxIterations: 1, ...overrides,
    });
  const steps = (events: SeqEvent[]) => ofType(events, 'trace.step').map((e) => e.data);

  it('runs a goal: Claude Code writes and runs through the sandbox tools, the trace and the grade are in the log', async () => {
    await submit('sdk-good');
    const events = await harness.ended('sdk-good');
    const opened = ofType(events, 'agent.session.opened');
    expect(opened).toHaveLength(1);
    expect(opened[0].data).toMatchObject({ backend: 'claude-agent-sdk', taskId: 'sdk-good-engineer' });
    expect(steps(events).map((s) => [s.kind, s.tool, s.exitCode])).toEqual([
      ['edit', 'write_file', undefined], ['command', 'run_command', 0], ['message', undefined, undefined],
    ]);
    expect(steps(events)[1].output).toContain('ok');
    const [work] = ofType(events, 'work.produced');
    expect(work.data).toMatchObject({ endedBy: 'finished', files: ['src/sum.js'], finalMessage: CLAIM, turnsUsed: 3 });
    const [verified] = ofType(events, 'work.verified');
    expect(verified.data.rerun).toMatchObject({ command: 'node test/sum.test.js', exitCode: 0, isolation: 'bubblewrap' });
    const [grade] = ofType(events, 'grade.recorded');
    expect(grade.data.passed).toBe(true);
    expect(ofType(events, 'task.completed')).toHaveLength(1);
    // Claude Code was offered the task's tools and nothing else of its own.
    const offered = agent.requests.find((r) => JSON.stringify(r.body.messages).includes('[script:sdk-good]'))!.body.tools.map((t: { name: string }) => t.name);
    expect(offered.sort()).toEqual(['mcp__workspace__list_files', 'mcp__workspace__read_file', 'mcp__workspace__run_command', 'mcp__workspace__write_file']);
  }, 90_000);

  it('holds the session to the goal turn limit', async () => {
    await submit('sdk-turns', { maxTurns: 2 });
    const events = await harness.ended('sdk-turns');
    const [work] = ofType(events, 'work.produced');
    expect(work.data.endedBy).toBe('turn_limit');
    expect(steps(events).filter((s) => s.kind === 'command').length).toBeLessThanOrEqual(2);
  }, 90_000);

  it('interrupts a session past the goal budget: the run ends by cost_limit', async () => {
    await submit('sdk-budget', { budgetUsd: 1.5 });
    const events = await harness.ended('sdk-budget');
    expect(ofType(events, 'work.produced')[0].data.endedBy).toBe('cost_limit');
    // $0.90 an answer: the second crosses $1.50, and the session is stopped before a third.
    expect(steps(events).filter((s) => s.kind === 'command').length).toBeLessThanOrEqual(2);
    expect(steps(events).some((s) => /budget/.test(s.output))).toBe(true);
    expect(ofType(events, 'decision.completed').find((d) => d.data.key.startsWith('executor:'))!.data.costUsd).toBeGreaterThanOrEqual(1.5);
  }, 90_000);

  it('goes on when the model stream breaks mid-answer: the answer is asked again, no step is lost or doubled', async () => {
    await submit('sdk-broken');
    const events = await harness.ended('sdk-broken');
    const askedAtTurn1 = agent.requests.filter((r) => JSON.stringify(r.body.messages).includes('[script:sdk-broken]') && r.body.messages.filter((m: { role: string }) => m.role === 'assistant').length === 1);
    expect(askedAtTurn1.length).toBeGreaterThanOrEqual(2);
    expect(steps(events).map((s) => [s.kind, s.tool])).toEqual([['edit', 'write_file'], ['command', 'run_command'], ['message', undefined]]);
    expect(ofType(events, 'grade.recorded')[0].data.passed).toBe(true);
  }, 90_000);

  it('ends the run loudly on a garbage answer: the step says why, the run ends by error, the executor keeps running', async () => {
    await submit('sdk-garbage');
    const events = await harness.ended('sdk-garbage');
    expect(ofType(events, 'work.produced')[0].data.endedBy).toBe('error');
    const failed = steps(events).find((s) => s.refused)!;
    expect(failed).toMatchObject({ kind: 'thought', tool: 'claude-agent-sdk', refused: expect.stringMatching(/the model API failed/) });
    expect(failed.output).toMatch(/malformed/);
    expect(steps(events).at(-1)!.output).toMatch(/ended by an error/);
    expect(ofType(events, 'work.produced')[0].data.finalMessage).not.toMatch(/API Error/);
    expect(harness.services.get('executor')!.child.exitCode).toBeNull();
  }, 90_000);

  it('keeps writes inside the allowed paths: a write to the tests is refused in the trace, and the grade fails the wrong work', async () => {
    await submit('sdk-outside');
    const events = await harness.ended('sdk-outside');
    const refused = steps(events).find((s) => s.path === 'test/sum.test.js')!;
    expect(refused.refused).toMatch(/outside the allowed paths|not allowed/);
    const [verified] = ofType(events, 'work.verified');
    expect(verified.data.rerun.exitCode).not.toBe(0);
    expect(ofType(events, 'grade.recorded')[0].data.passed).toBe(false);
  }, 90_000);

  it('resumes the same session after the executor is killed mid-session: one session, no step recorded twice', async () => {
    slowAgent = await startScriptedAgentServer(new Map(Object.entries(SCRIPTS)), { toolPrefix: 'mcp__workspace__', delayMs: 700 });
    await harness.stop('executor');
    harness.setEnv({ ANTHROPIC_BASE_URL: slowAgent.url });
    await harness.start('executor');
    await submit('sdk-kill');
    const before = await until(async () => {
      const recorded = steps(await harness.log.readRun('sdk-kill'));
      return recorded.length >= 2 ? recorded : undefined;
    });
    await harness.stop('executor', 'SIGKILL');
    await harness.start('executor');
    const events = await harness.ended('sdk-kill');
    expect(ofType(events, 'agent.session.opened')).toHaveLength(1);
    // The restarted executor went on with the same conversation: its first request carries the turns before the kill.
    const resumed = slowAgent.requests.find((r) => JSON.stringify(r.body.messages).includes('has restarted'))!;
    expect(JSON.stringify(resumed.body.messages)).toContain('toolu_sdk-kill_0');
    const recorded = steps(events);
    expect(recorded.length).toBeGreaterThan(before.length);
    expect(recorded.slice(0, before.length)).toEqual(before);
    expect(recorded.map((s) => s.step)).toEqual(recorded.map((_, i) => i));
    const commands = recorded.filter((s) => s.kind === 'command').map((s) => s.input);
    expect(new Set(commands).size).toBe(commands.length);
    expect(ofType(events, 'work.produced')[0].data.endedBy).toBe('finished');
    expect(ofType(events, 'work.verified')[0].data.rerun.exitCode).toBe(0);
  }, 120_000);
});
