import { readdirSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { LoopEvent } from '@loopwright/events';
import { dropTestStream, testLogConfig } from '@loopwright/testing';
import { EXIT } from './cli-context';
import { runCli } from './main';

const CORPUS = join(__dirname, '../../../fixtures/transcripts');
const FORMATS = ['claude-code', 'swe-agent', 'mini-swe-agent', 'openhands', 'otlp-json'] as const;

describe('loopwright import against a real log', () => {
  let config: LogConfig;
  let log: EventLog;
  let scratch: string;
  const output: string[] = [];

  beforeAll(async () => {
    const base = testLogConfig('cli-import');
    // A tiny duplicate window: importing again must find the run in the log, not lean on NATS deduplication.
    config = { ...base, producer: 'miner', duplicateWindowMs: 100, artifactBucket: `${base.streamName}_artifacts` };
    Object.assign(process.env, {
      NATS_URL: config.natsUrl, LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot, LOOP_DUPLICATE_WINDOW_MS: '100',
    });
    log = await EventLog.open(config);
    scratch = await mkdtemp(join(tmpdir(), 'lw-import-'));
    jest.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
    jest.spyOn(console, 'error').mockImplementation((line: string) => void output.push(line));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    delete process.env['LOOP_DUPLICATE_WINDOW_MS'];
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
    await rm(scratch, { recursive: true, force: true });
  });

  beforeEach(() => {
    output.length = 0;
    process.exitCode = undefined;
  });

  const storedCount = async () => Number((await log.jsm.streams.info(config.streamName)).state.messages);
  const runIdsIn = (lines: string[]) => lines.flatMap((l) => /\b(imp-[0-9a-f]{32})\b/.exec(l)?.[1] ?? []);

  it.each(FORMATS)('imports the %s fixtures as runs: goal, task, a step per step, work with the change', async (format) => {
    const code = await runCli(['import', join(CORPUS, format), '--allow', 'src/**', '--test', 'npm test', '--no-progress']);
    expect({ code, output }).toMatchObject({ code: EXIT.ok });
    const runIds = runIdsIn(output);
    const files = readdirSync(join(CORPUS, format));
    expect(runIds.length).toBe(files.length);
    for (const runId of runIds) {
      const events = await log.readRun(runId);
      const types = events.map((e) => e.type);
      expect(types[0]).toBe('goal.submitted');
      expect(types[1]).toBe('task.started');
      expect(types.at(-1)).toBe('work.produced');
      const goal = events[0] as LoopEvent & { type: 'goal.submitted' };
      expect(goal.data).toMatchObject({ backend: 'import', source: { format }, allowedPaths: ['src/**'], testCommand: 'npm test' });
      expect(goal.producer).toBe('submitter');
      const steps = events.filter((e) => e.type === 'trace.step');
      expect(steps.length).toBeGreaterThan(2);
      expect(steps.map((s) => (s.type === 'trace.step' ? s.data.step : -1))).toEqual(steps.map((_, i) => i));
      const work = events.at(-1)!;
      if (work.type !== 'work.produced') throw new Error('expected work.produced');
      const snapshot = await (await log.artifacts()).get(work.data.artifactDigest);
      expect(snapshot.byteLength).toBeGreaterThan(0);
    }
    expect(output.at(-1)).toBe(`imported ${files.length}, completed 0, already there 0, refused 0`);
  });

  it('appends nothing when the same transcripts are imported again, long after the duplicate window', async () => {
    await runCli(['import', join(CORPUS, 'swe-agent'), '--no-progress']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await storedCount();
    output.length = 0;
    expect(await runCli(['import', join(CORPUS, 'swe-agent'), '--no-progress'])).toBe(EXIT.ok);
    expect(await storedCount()).toBe(before);
    expect(output.at(-1)).toBe(`imported 0, completed 0, already there ${readdirSync(join(CORPUS, 'swe-agent')).length}, refused 0`);
  });

  it('completes an import that was cut off half-way', async () => {
    const file = join(scratch, 'cut-off.jsonl');
    await copyFile(join(CORPUS, 'claude-code/cc-slugify-clean.jsonl'), file);
    await runCli(['import', file, '--no-progress']);
    const [runId] = runIdsIn(output);
    const complete = await log.readRun(runId);

    // The same transcript in a second stream, of which only the first half was ever appended.
    const half = testLogConfig('cli-import-half');
    const halfConfig = { ...config, ...half, artifactBucket: `${half.streamName}_artifacts` };
    const halfLog = await EventLog.open(halfConfig);
    try {
      await halfLog.appendMany(complete.slice(0, Math.floor(complete.length / 2)).map(({ seq: _seq, ...e }) => e as LoopEvent));
      Object.assign(process.env, { LOOP_STREAM: half.streamName, LOOP_SUBJECT_ROOT: half.subjectRoot });
      output.length = 0;
      expect(await runCli(['import', file, '--no-progress'])).toBe(EXIT.ok);
      expect(output.at(-1)).toBe('imported 0, completed 1, already there 0, refused 0');
      expect((await halfLog.readRun(runId)).map((e) => e.id)).toEqual(complete.map((e) => e.id));
    } finally {
      Object.assign(process.env, { LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot });
      await halfLog.close();
      await dropTestStream(halfConfig.natsUrl, half.streamName);
    }
  });

  it('refuses bad input with file, line and problem, exit code 2, and keeps the rest of the batch', async () => {
    const dir = join(scratch, 'bad');
    await rm(dir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    const good = join(dir, 'a-good.traj');
    await copyFile(join(CORPUS, 'swe-agent/textkit__textkit-603.traj'), good);
    await writeFile(join(dir, 'b-malformed.traj'), '{\n  "trajectory": [\n    {"action": "ls",, "observation": ""}\n  ]\n}\n');
    const session = (await import('node:fs/promises')).readFile(join(CORPUS, 'claude-code/cc-slugify-clean.jsonl'), 'utf8');
    const text = await session;
    await writeFile(join(dir, 'c-truncated.jsonl'), text.slice(0, text.lastIndexOf('"type"')));
    await writeFile(join(dir, 'd-unknown.json'), JSON.stringify({ hello: 'world' }));
    await writeFile(join(dir, 'e-binary.jsonl'), Buffer.from([0x7b, 0x0a, 0x00, 0xff, 0x10]));
    await writeFile(join(dir, 'f-huge.jsonl'), '');
    await truncate(join(dir, 'f-huge.jsonl'), 200 * 1024 * 1024);

    const code = await runCli(['import', dir, '--no-progress']);
    expect(code).toBe(EXIT.usage);
    const errors = output.filter((l) => l.startsWith('error: '));
    expect(errors).toEqual([
      expect.stringMatching(/b-malformed\.traj:3: invalid JSON in the SWE-agent trajectory .*fix or remove the broken part$/),
      expect.stringMatching(/c-truncated\.jsonl:\d+: the last line is cut off \(the transcript is truncated\)/),
      expect.stringMatching(/d-unknown\.json:1: not a transcript format Loopwright knows; pass --format \(claude-code, swe-agent/),
      expect.stringMatching(/e-binary\.jsonl:2: binary data \(a NUL byte\), not a text transcript$/),
      expect.stringMatching(/f-huge\.jsonl: the file is 200 MB, over the 100 MB limit: split the session/),
    ]);
    expect(output).toContainEqual(expect.stringMatching(/^(?:imported|already there) +swe-agent +imp-[0-9a-f]{32} .*a-good\.traj$/));
    expect(output.find((l) => l.startsWith('imported '))).toMatch(/refused 5$/);
  });

  it("imports a Claude Code folder's session with its sub-agent's steps, and not the sub-agent's file as a run of its own", async () => {
    const dir = join(scratch, 'subagents');
    const session = '6e2d8f3b-0c4a-4d72-b1e5-8a3f9c0d2b47';
    const common = { userType: 'external', cwd: '/home/dev/shop', sessionId: session, version: '2.0.77' };
    const at = (s: number) => `2026-12-01T10:00:${String(s).padStart(2, '0')}.000Z`;
    const lines = (...entries: object[]) => `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`;
    const side = { ...common, isSidechain: true, agentId: 'c41d7e0' };
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, session, 'subagents'), { recursive: true }));
    await writeFile(join(dir, `${session}.jsonl`), lines(
      { ...common, isSidechain: false, type: 'user', uuid: 'p1', timestamp: at(1), message: { role: 'user', content: 'Make the slug test pass.' } },
      { ...common, isSidechain: false, type: 'assistant', uuid: 'p2', timestamp: at(2), message: { id: 'm1', role: 'assistant', content: [{ type: 'tool_use', id: 'task1', name: 'Task', input: { description: 'Run the tests', prompt: 'Run npm test' } }] } },
      { ...common, isSidechain: false, type: 'user', uuid: 'p3', timestamp: at(9), message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'task1', content: '3 passing' }] }, toolUseResult: { status: 'completed', agentId: 'c41d7e0' } },
      { ...common, isSidechain: false, type: 'assistant', uuid: 'p4', timestamp: at(10), message: { id: 'm2', role: 'assistant', content: [{ type: 'text', text: 'All tests pass.' }] } },
    ));
    await writeFile(join(dir, session, 'subagents', 'agent-c41d7e0.jsonl'), lines(
      { ...side, type: 'user', uuid: 's1', timestamp: at(3), message: { role: 'user', content: 'Run npm test' } },
      { ...side, type: 'assistant', uuid: 's2', timestamp: at(4), message: { id: 'ms1', role: 'assistant', content: [{ type: 'tool_use', id: 'b1', name: 'Bash', input: { command: 'npm test' } }] } },
      { ...side, type: 'user', uuid: 's3', timestamp: at(5), message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'b1', content: '  3 passing (12ms)' }] } },
    ));
    expect(await runCli(['import', dir, '--allow', 'src/**', '--test', 'npm test', '--no-progress'])).toBe(EXIT.ok);
    const runIds = runIdsIn(output);
    expect(runIds).toHaveLength(1);
    const steps = (await log.readRun(runIds[0])).flatMap((e) => (e.type === 'trace.step' ? [e.data] : []));
    const task = steps.find((s) => s.tool === 'Task');
    expect(steps.find((s) => s.kind === 'command')).toMatchObject({ input: 'npm test', speaker: 'sub-agent c41d7e0', delegatedBy: task?.step });
  });

  it('names a sub-agent whose transcript is missing in what the import could not say', async () => {
    const dir = join(scratch, 'missing-subagent');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    const common = { userType: 'external', cwd: '/home/dev/shop', sessionId: '7f3e9a4c-1d5b-4e83-92f6-9b4a0d1e3c58', version: '2.0.77', isSidechain: false };
    await writeFile(join(dir, 'session.jsonl'), [
      { ...common, type: 'user', uuid: 'q1', message: { role: 'user', content: 'Fix the slug bug.' } },
      { ...common, type: 'assistant', uuid: 'q2', message: { id: 'n1', role: 'assistant', content: [{ type: 'tool_use', id: 'task9', name: 'Task', input: { description: 'Fix it' } }] } },
      { ...common, type: 'user', uuid: 'q3', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'task9', content: 'done\nagentId: d00d1e5' }] } },
    ].map((e) => JSON.stringify(e)).join('\n'));
    expect(await runCli(['import', dir, '--no-progress'])).toBe(EXIT.ok);
    expect(output).toContainEqual(expect.stringMatching(/agent d00d1e5, whose transcript \(agent-d00d1e5\.jsonl.*is missing: its steps are missing from the trace/));
  });

  it('imports an OpenHands SDK conversation folder found in a folder as one run', async () => {
    const conversation = join(scratch, 'openhands-v1', 'conversations', '9a8b7c6d5e4f40318f2e1d0c9b8a7f6e');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(conversation, 'events'), { recursive: true }));
    await writeFile(join(conversation, 'base_state.json'), JSON.stringify({ id: '9a8b7c6d5e4f40318f2e1d0c9b8a7f6e', workspace: { kind: 'LocalWorkspace', working_dir: '/workspace/app' }, max_iterations: 30, execution_status: 'finished' }));
    const action = { kind: 'TerminalAction', command: 'npm test', is_input: false };
    const events = [
      { kind: 'MessageEvent', id: 'e1', source: 'user', llm_message: { role: 'user', content: [{ type: 'text', text: 'Make the slug test pass.' }] } },
      { kind: 'ActionEvent', id: 'e2', source: 'agent', thought: [], action, tool_name: 'terminal', tool_call_id: 'c1', llm_response_id: 'r1' },
      { kind: 'ObservationEvent', id: 'e3', source: 'environment', tool_name: 'terminal', tool_call_id: 'c1', action_id: 'e2', observation: { kind: 'TerminalObservation', content: [{ type: 'text', text: '3 passing' }], exit_code: 0 } },
      { kind: 'ActionEvent', id: 'e4', source: 'agent', thought: [], action: { kind: 'FinishAction', message: 'The slug test passes.' }, tool_name: 'finish', tool_call_id: 'c2', llm_response_id: 'r2' },
    ];
    for (const [i, event] of events.entries()) await writeFile(join(conversation, 'events', `event-0000${i}-${event.id}000000.json`), JSON.stringify(event));
    expect(await runCli(['import', join(scratch, 'openhands-v1'), '--test', 'npm test', '--no-progress'])).toBe(EXIT.ok);
    const runIds = runIdsIn(output);
    expect(runIds).toHaveLength(1);
    const run = await log.readRun(runIds[0]);
    expect(run.find((e) => e.type === 'goal.submitted')?.data).toMatchObject({ source: { format: 'openhands', ids: ['9a8b7c6d5e4f40318f2e1d0c9b8a7f6e'] }, maxTurns: 30 });
    expect(run.flatMap((e) => (e.type === 'trace.step' ? [e.data] : []))).toEqual([expect.objectContaining({ kind: 'command', input: 'npm test', exitCode: 0 })]);
  });

  it('refuses an unknown --format and an invalid goal file before reading anything', async () => {
    expect(await runCli(['import', CORPUS, '--format', 'langsmith'])).toBe(EXIT.usage);
    expect(output.join('\n')).toMatch(/unknown --format "langsmith": use one of claude-code, swe-agent, mini-swe-agent, openhands, otlp-json/);
    const goal = join(scratch, 'goal.yaml');
    await writeFile(goal, 'allowedPaths: src/**\nbudget: 1\n');
    output.length = 0;
    expect(await runCli(['import', join(CORPUS, 'swe-agent'), '--goal', goal])).toBe(EXIT.usage);
    expect(output.join('\n')).toMatch(/goal file .*goal\.yaml is not valid: allowedPaths: .*budget/);
  });
});
