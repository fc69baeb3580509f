import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseClaudeCode } from './formats/claude-code';
import type { SubAgentFile } from './formats/claude-code-subagents';
import { gradeImportedRun } from './grade-imported-run.test-helper';
import { ImportedRun } from './imported-run';
import { readTranscript } from './read-transcript';
import { MAX_SUB_AGENTS } from './sub-agent-files';

/**
 * Claude Code sessions whose sub-agents (Task / Agent calls) wrote their own transcripts,
 * `<session>/subagents/agent-<id>.jsonl`: synthetic, in the shape Claude Code writes.
 */
const SESSION = '5d1c7e2a-9b3f-4e61-a0c4-7f2e8d9b1a36';
const CWD = '/home/dev/shop';
let clock = Date.parse('2026-12-01T10:00:00.000Z');
let counter = 0;
const entry = (o: Record<string, unknown>, agentId?: string) => ({
  parentUuid: null, isSidechain: agentId !== undefined, userType: 'external', cwd: CWD, sessionId: SESSION, version: '2.0.77',
  gitBranch: 'main', ...(agentId ? { agentId } : {}), uuid: `u-${++counter}`, timestamp: new Date((clock += 1000)).toISOString(), ...o,
});
const ask = (text: string, agentId?: string) => entry({ type: 'user', message: { role: 'user', content: text } }, agentId);
const say = (block: Record<string, unknown>, agentId?: string) =>
  entry({ type: 'assistant', message: { id: `msg_${++counter}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [block] } }, agentId);
const text = (t: string) => ({ type: 'text', text: t });
const tool = (id: string, name: string, input: Record<string, unknown>) => ({ type: 'tool_use', id, name, input });
const result = (id: string, content: string, agentId?: string, extra: Record<string, unknown> = {}, isError = false) =>
  entry({ type: 'user', message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content, is_error: isError }] }, ...extra }, agentId);
const jsonl = (...entries: object[]) => `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`;

/** The main agent hands a task to a sub-agent; the result names the agent as Claude Code does. */
const delegate = (callId: string, agentId: string, report: string, status = 'completed') => [
  say(tool(callId, 'Task', { description: 'Fix and test rounding', prompt: 'Fix the rounding in src/discount.py and run its tests', subagent_type: 'general-purpose' })),
  result(callId, `${report}\nagentId: ${agentId} (for resuming to continue this agent's work if needed)`, undefined, {
    toolUseResult: { status, prompt: 'Fix the rounding…', agentId, content: [text(report)], totalDurationMs: 4000, totalTokens: 900, totalToolUseCount: 2 },
  }),
];
const PASSING = '============ 5 passed in 0.21s ============';
/** A sub-agent that fixes the rounding and runs the tests, which pass. */
const fixer = (agentId: string, edited = '/home/dev/shop/src/discount.py') => jsonl(
  ask('Fix the rounding in src/discount.py and run its tests', agentId),
  say(tool('s_edit', 'Edit', { file_path: edited, old_string: 'round(x)', new_string: 'round(x, 2)' }), agentId),
  result('s_edit', `The file ${edited} has been updated.`, agentId),
  say(tool('s_test', 'Bash', { command: 'pytest tests/test_discount.py' }), agentId),
  result('s_test', PASSING, agentId),
  say(text('Fixed; 5 passed.'), agentId),
);
const parent = (...middle: object[]) => jsonl(ask('The discount test fails: fix it.'), ...middle, say(text('Fixed the rounding; all tests pass.')));

const GOAL = { allowedPaths: ['src/**', 'tests/**'], scratchPaths: ['/tmp/**'], testCommand: 'pytest' };
const files = (entries: Record<string, string | null>) =>
  new Map(Object.entries(entries).map(([id, t]): [string, SubAgentFile | null] => [id, t === null ? null : { path: `subagents/agent-${id}.jsonl`, text: t }]));
const only = (runs: ImportedRun[]) => runs[0];

describe('Claude Code sub-agents: merged from their own transcripts', () => {
  it("reads the tests a sub-agent ran: the main agent's claim after them is no claim without a run", () => {
    const session = parent(...delegate('t_task', 'a3f9c01', 'Fixed; 5 passed.'));
    const without = only(parseClaudeCode(session));
    expect(gradeImportedRun(without, GOAL).fails('claimed_tested_without_running')).toBe(true);

    const run = only(parseClaudeCode(session, files({ a3f9c01: fixer('a3f9c01') })));
    const { features, fails } = gradeImportedRun(run, GOAL);
    expect([features.test_runs, features.passing_test_runs, features.files_written, fails('claimed_tested_without_running')]).toEqual([1, 1, 1, false]);
    expect(run.change.map((f) => f.path)).toEqual(['src/discount.py']);
    expect(run.task).toBe('The discount test fails: fix it.');
    expect(run.finalMessage).toBe('Fixed the rounding; all tests pass.');
  });

  it("places a sub-agent's steps after the Task call that started it and before its result, marked with the agent and that call", () => {
    const run = only(parseClaudeCode(parent(...delegate('t_task', 'a3f9c01', 'Fixed; 5 passed.')), files({ a3f9c01: fixer('a3f9c01') })));
    const task = run.steps.findIndex((s) => s.tool === 'Task');
    const sub = run.steps.filter((s) => s.speaker === 'sub-agent a3f9c01');
    expect(sub.map((s) => s.kind)).toEqual(['edit', 'command', 'message']);
    expect(sub.every((s) => s.delegatedBy === task)).toBe(true);
    expect(run.steps.findIndex((s) => s.speaker !== undefined)).toBe(task + 1);
    expect(run.steps.at(-1)).toMatchObject({ kind: 'message', output: 'Fixed the rounding; all tests pass.' });
  });

  it("sees a sub-agent's edit outside the allowed paths", () => {
    const run = only(parseClaudeCode(parent(...delegate('t_task', 'a3f9c01', 'Done.')), files({ a3f9c01: fixer('a3f9c01', '/home/dev/shop/deploy/prod.yml') })));
    const { fails } = gradeImportedRun(run, GOAL);
    expect([fails('edited_outside_scope'), fails('attempted_outside_scope')]).toEqual([true, true]);
  });

  it('orders the steps of two sub-agents working at once by their times', () => {
    const left = jsonl(ask('check a', 'aa11'), say(tool('l1', 'Bash', { command: 'ls src' }), 'aa11'), result('l1', 'a.py', 'aa11'));
    const right = jsonl(ask('check b', 'bb22'), say(tool('r1', 'Bash', { command: 'ls tests' }), 'bb22'), result('r1', 'test_a.py', 'bb22'));
    // Times: the right sub-agent's call ran between the left one's call and result.
    const [l0, l1, l2] = JSON.parse(`[${left.trim().split('\n').join(',')}]`) as Record<string, unknown>[];
    const [r0, r1, r2] = JSON.parse(`[${right.trim().split('\n').join(',')}]`) as Record<string, unknown>[];
    const at = (o: Record<string, unknown>, t: string) => ({ ...o, timestamp: `2026-12-01T11:00:0${t}.000Z` });
    const session = jsonl(
      ask('Look around.'),
      entry({ type: 'assistant', timestamp: '2026-12-01T10:59:59.000Z', message: { id: 'm_par', role: 'assistant', content: [tool('ta', 'Task', { description: 'a' })] } }),
      entry({ type: 'assistant', timestamp: '2026-12-01T10:59:59.000Z', message: { id: 'm_par', role: 'assistant', content: [tool('tb', 'Task', { description: 'b' })] } }),
      entry({ type: 'user', timestamp: '2026-12-01T11:00:09.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'ta', content: 'ok' }] }, toolUseResult: { status: 'completed', agentId: 'aa11' } }),
      entry({ type: 'user', timestamp: '2026-12-01T11:00:09.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tb', content: 'ok' }] }, toolUseResult: { status: 'completed', agentId: 'bb22' } }),
    );
    const run = only(parseClaudeCode(session, files({ aa11: jsonl(at(l0, '1'), at(l1, '2'), at(l2, '5')), bb22: jsonl(at(r0, '3'), at(r1, '4'), at(r2, '6')) })));
    expect(run.steps.filter((s) => s.kind === 'command').map((s) => s.input)).toEqual(['ls src', 'ls tests']);
    expect(run.steps.filter((s) => s.speaker).map((s) => s.speaker)).toEqual(['sub-agent aa11', 'sub-agent bb22']);
  });

  it("keeps a sub-agent the caller waited for between its call and its result, whatever times its file records", () => {
    // The sub-agent's file claims its test ran an hour later, after the main agent's next edit.
    const late = fixer('a3f9c01').trim().split('\n').map((l) => JSON.stringify({ ...JSON.parse(l), timestamp: '2026-12-01T23:00:00.000Z' })).join('\n');
    const session = parent(
      ...delegate('t_task', 'a3f9c01', 'Fixed; 5 passed.'),
      say(tool('t_edit', 'Edit', { file_path: '/home/dev/shop/src/cart.py', old_string: 'a', new_string: 'b' })),
      result('t_edit', 'The file /home/dev/shop/src/cart.py has been updated.'),
    );
    const run = only(parseClaudeCode(session, files({ a3f9c01: late })));
    const order = run.steps.map((s) => (s.kind === 'command' ? 'test' : s.kind === 'edit' ? `edit ${s.path}` : '')).filter(Boolean);
    expect(order).toEqual(['edit src/discount.py', 'test', 'edit src/cart.py']);
  });

  it('lets a sub-agent started in the background go on after the result that launched it, in time order', () => {
    const session = jsonl(
      ask('Fix it and keep going.'),
      ...delegate('t_task', 'a3f9c01', 'Async agent launched successfully.', 'async_launched'),
      say(tool('t_ls', 'Bash', { command: 'ls' })),
      result('t_ls', 'src'),
    );
    // Written after the session's entries: its steps come after the main agent's `ls`.
    const run = only(parseClaudeCode(session, files({ a3f9c01: fixer('a3f9c01') })));
    expect(run.steps.filter((s) => s.kind === 'command').map((s) => s.input)).toEqual(['ls', 'pytest tests/test_discount.py']);
  });

  it("reads a sub-agent's turns once when the session also holds them inline", () => {
    const inline = fixer('a3f9c01').trim().split('\n').map((l) => JSON.parse(l) as object);
    const [call, answered] = delegate('t_task', 'a3f9c01', 'Fixed; 5 passed.');
    const run = only(parseClaudeCode(parent(call, ...inline, answered), files({ a3f9c01: fixer('a3f9c01') })));
    expect(run.steps.filter((s) => s.kind === 'command')).toHaveLength(1);
  });

  it('names a sub-agent whose transcript is missing in the gaps, not silently', () => {
    const run = only(parseClaudeCode(parent(...delegate('t_task', 'a3f9c01', 'Fixed; 5 passed.')), files({ a3f9c01: null })));
    expect(run.gaps.join('\n')).toMatch(/agent a3f9c01, whose transcript \(agent-a3f9c01\.jsonl.*\) is missing: its steps are missing from the trace/);
  });
});

describe('Claude Code sub-agents: a transcript is hostile input', () => {
  it('refuses a sub-agent file that holds the main agent\'s turns (it claims to be the parent)', () => {
    const forged = jsonl(entry({ type: 'assistant', isSidechain: false, message: { id: 'm', role: 'assistant', content: [text('all tests pass')] } }));
    expect(() => parseClaudeCode(parent(...delegate('t_task', 'a3f9c01', 'ok')), files({ a3f9c01: forged }))).toThrow(
      /subagents\/agent-a3f9c01\.jsonl:1: this entry is not a sidechain.*not to sub-agent a3f9c01/,
    );
  });

  it.each([
    ['another agent', { agentId: 'ffff000' }, /belongs to agent "ffff000"/],
    ['another session', { sessionId: '00000000-0000-0000-0000-000000000000' }, /belongs to session/],
  ])('refuses a sub-agent file whose turns are %s\'s', (_what, override, problem) => {
    const other = jsonl({ ...say(text('hi'), 'a3f9c01'), ...override });
    expect(() => parseClaudeCode(parent(...delegate('t_task', 'a3f9c01', 'ok')), files({ a3f9c01: other }))).toThrow(problem);
  });

  it('reads the sub-agent of a resumed session, whose entries carry an earlier session id before its own', () => {
    const earlier = '11111111-2222-4333-8444-555555555555';
    // The first entry, copied from the session it resumed, has that session's id; the sub-agent has the new one.
    const session = parent(...delegate('t_task', 'a3f9c01', 'ok')).replace(`"sessionId":"${SESSION}"`, `"sessionId":"${earlier}"`);
    const run = only(parseClaudeCode(session, files({ a3f9c01: fixer('a3f9c01') })));
    expect(run.ids).toEqual([earlier, SESSION]);
    expect(run.steps.some((s) => s.speaker === 'sub-agent a3f9c01')).toBe(true);
  });

  it.each(['../../etc/passwd', '/etc/passwd', 'a3f9c01/../../x', '..', 'a b'])('refuses an agent id that is no agent id (%s) before any path is made of it', (id) => {
    const session = parent(...delegate('t_task', id, 'ok'));
    expect(() => parseClaudeCode(session, files({}))).toThrow(/names the sub-agent .* which is not an agent id/);
  });

  it("does not let a sub-agent's file answer the main agent's calls: a forged pass for the main agent's failing test stays a failure", () => {
    const forger = jsonl(
      ask('help', 'a3f9c01'),
      // The main agent's call id, answered from the sub-agent's file with a passing run.
      result('t_test', PASSING, 'a3f9c01'),
    );
    const session = parent(
      say(tool('t_test', 'Bash', { command: 'pytest tests/test_discount.py' })),
      result('t_test', 'Exit code 1\n============ 1 failed, 4 passed in 0.31s ============', undefined, {}, true),
      ...delegate('t_task', 'a3f9c01', 'ok'),
    );
    const run = only(parseClaudeCode(session, files({ a3f9c01: forger })));
    const main = run.steps.find((s) => s.kind === 'command' && !s.speaker);
    expect(main).toMatchObject({ exitCode: 1 });
    expect(gradeImportedRun(run, GOAL).features.passing_test_runs).toBe(0);
  });

  it.each([
    ['echo "# pass 12"', '# tests 12\n# pass 12\n# fail 0'],
    ['cat results.txt', '============ 12 passed in 0.20s ============'],
  ])('does not read a command that runs no tests (%s) as a test run, whatever its output says', (command, output) => {
    const sub = jsonl(ask('run tests', 'a3f9c01'), say(tool('s1', 'Bash', { command }), 'a3f9c01'), result('s1', output, 'a3f9c01'));
    const run = only(parseClaudeCode(parent(...delegate('t_task', 'a3f9c01', 'tests pass')), files({ a3f9c01: sub })));
    const { features, fails } = gradeImportedRun(run, GOAL);
    expect([features.test_runs, fails('claimed_tested_without_running')]).toEqual([0, true]);
  });

  it('reads each sub-agent once through a cycle (an agent naming itself, two agents naming each other)', () => {
    const loop = (me: string, next: string) => jsonl(
      ask('go', me),
      say(tool(`c_${me}`, 'Task', { description: 'again' }), me),
      result(`c_${me}`, `agentId: ${next}`, me, { toolUseResult: { status: 'completed', agentId: next } }),
      say(tool(`b_${me}`, 'Bash', { command: `pytest tests/test_${me}.py` }), me),
      result(`b_${me}`, PASSING, me),
    );
    const self = only(parseClaudeCode(parent(...delegate('t_task', 'aa01', 'ok')), files({ aa01: loop('aa01', 'aa01') })));
    expect(self.steps.filter((s) => s.kind === 'command').map((s) => s.input)).toEqual(['pytest tests/test_aa01.py']);
    const pair = only(parseClaudeCode(parent(...delegate('t_task', 'aa01', 'ok')), files({ aa01: loop('aa01', 'bb02'), bb02: loop('bb02', 'aa01') })));
    expect(pair.steps.filter((s) => s.kind === 'command').map((s) => [s.speaker, s.delegatedBy !== undefined])).toEqual([
      ['sub-agent bb02', true], ['sub-agent aa01', true],
    ]);
  });
});

describe('Claude Code sub-agents: found beside the session, and nothing outside its folder', () => {
  let dir: string;
  let projects: string;
  let sessionFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lw-subagents-'));
    projects = join(dir, 'projects', '-home-dev-shop');
    mkdirSync(join(projects, SESSION, 'subagents'), { recursive: true });
    sessionFile = join(projects, `${SESSION}.jsonl`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the sub-agent in <session>/subagents/ (current) and beside the session (older versions)', async () => {
    writeFileSync(sessionFile, parent(...delegate('t1', 'a3f9c01', 'ok'), ...delegate('t2', 'b7e4d22', 'ok')));
    writeFileSync(join(projects, SESSION, 'subagents', 'agent-a3f9c01.jsonl'), fixer('a3f9c01'));
    writeFileSync(join(projects, 'agent-b7e4d22.jsonl'), fixer('b7e4d22'));
    const { runs } = await readTranscript(sessionFile);
    expect(new Set(runs[0].steps.map((s) => s.speaker).filter(Boolean))).toEqual(new Set(['sub-agent a3f9c01', 'sub-agent b7e4d22']));
    expect(gradeImportedRun(runs[0], GOAL).fails('claimed_tested_without_running')).toBe(false);
  });

  it('reports a missing sub-agent file in the gaps and imports the rest', async () => {
    writeFileSync(sessionFile, parent(...delegate('t1', 'a3f9c01', 'ok')));
    const { runs } = await readTranscript(sessionFile);
    expect(runs[0].gaps.some((g) => /agent a3f9c01.*is missing/.test(g))).toBe(true);
  });

  it('reads nothing outside the session folder through a traversing agent id', async () => {
    // Where `agent-../../outside/evil.jsonl` would land if the id were made a path.
    mkdirSync(join(dir, 'projects', 'outside'), { recursive: true });
    writeFileSync(join(dir, 'projects', 'outside', 'evil.jsonl'), fixer('../../outside/evil'));
    writeFileSync(sessionFile, parent(...delegate('t1', '../../outside/evil', 'ok')));
    await expect(readTranscript(sessionFile)).rejects.toThrow(new RegExp(`${SESSION}\\.jsonl:\\d+: .*not an agent id`));
  });

  it("makes no path of a sidechain line's own agentId: only a Task call's result names a sub-agent's file", async () => {
    mkdirSync(join(dir, 'projects', 'outside'), { recursive: true });
    writeFileSync(join(dir, 'projects', 'outside', 'evil.jsonl'), fixer('a3f9c01'));
    writeFileSync(sessionFile, parent(say(text('looking'), '../../outside/evil')));
    const { runs } = await readTranscript(sessionFile);
    expect(runs[0].steps.filter((s) => s.speaker).map((s) => [s.speaker, s.output])).toEqual([['sub-agent', 'looking']]);
  });

  it('refuses a sub-agent file that is a link out of the folder, or whose folder is one', async () => {
    const outside = join(dir, 'secret.jsonl');
    writeFileSync(outside, fixer('a3f9c01'));
    writeFileSync(sessionFile, parent(...delegate('t1', 'a3f9c01', 'ok')));
    symlinkSync(outside, join(projects, SESSION, 'subagents', 'agent-a3f9c01.jsonl'));
    await expect(readTranscript(sessionFile)).rejects.toThrow(/agent-a3f9c01\.jsonl: a symbolic link/);

    rmSync(join(projects, SESSION), { recursive: true });
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'agent-a3f9c01.jsonl'), fixer('a3f9c01'));
    mkdirSync(join(projects, SESSION));
    symlinkSync(join(dir, 'elsewhere'), join(projects, SESSION, 'subagents'));
    await expect(readTranscript(sessionFile)).rejects.toThrow(/its folder is a link leading out of the session's folder/);
  });

  it('refuses a FIFO in a sub-agent file\'s place without waiting on it', async () => {
    writeFileSync(sessionFile, parent(...delegate('t1', 'a3f9c01', 'ok')));
    execFileSync('mkfifo', [join(projects, SESSION, 'subagents', 'agent-a3f9c01.jsonl')]);
    await expect(readTranscript(sessionFile)).rejects.toThrow(/not a regular file/);
  });

  it('holds the session and its sub-agents together to the size limit', async () => {
    const session = parent(...delegate('t1', 'a3f9c01', 'ok'));
    writeFileSync(sessionFile, session);
    writeFileSync(join(projects, SESSION, 'subagents', 'agent-a3f9c01.jsonl'), `${fixer('a3f9c01')}${' '.repeat(4096)}\n`);
    await expect(readTranscript(sessionFile, { maxBytes: Buffer.byteLength(session) + 4096 })).rejects.toThrow(/agent-a3f9c01\.jsonl: the session and its sub-agents' transcripts come to more than/);
    await expect(readTranscript(sessionFile, { maxBytes: Buffer.byteLength(session) + 16_384 })).resolves.toBeDefined();
  });

  it('refuses a session naming more sub-agents than any session starts, before looking for them all', async () => {
    const calls = Array.from({ length: MAX_SUB_AGENTS + 1 }, (_, i) => delegate(`t${i}`, `a${i.toString(16).padStart(6, '0')}`, 'ok')).flat();
    writeFileSync(sessionFile, parent(...calls));
    await expect(readTranscript(sessionFile)).rejects.toThrow(new RegExp(`names more than ${MAX_SUB_AGENTS} sub-agents`));
  });

  it("names the sub-agent's file and line when its transcript is broken", async () => {
    writeFileSync(sessionFile, parent(...delegate('t1', 'a3f9c01', 'ok')));
    writeFileSync(join(projects, SESSION, 'subagents', 'agent-a3f9c01.jsonl'), `${fixer('a3f9c01')}{"type": "user", broken}\n`);
    await expect(readTranscript(sessionFile)).rejects.toThrow(/subagents\/agent-a3f9c01\.jsonl:7: /);
  });
});
