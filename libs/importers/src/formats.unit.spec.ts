import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectFormat } from './detect-format';
import { TranscriptError } from './imported-run';
import { parseTranscript } from './read-transcript';

const CORPUS = join(__dirname, '../../../fixtures/transcripts');
const fixture = (file: string) => readFileSync(join(CORPUS, file), 'utf8');
const only = (file: string) => {
  const runs = parseTranscript(fixture(file), file);
  expect(runs).toHaveLength(1);
  return runs[0];
};
const kinds = (file: string) => only(file).steps.map((s) => s.kind);

describe('format detection', () => {
  it.each([
    ['claude-code/cc-slugify-clean.jsonl', 'claude-code'],
    ['swe-agent/textkit__textkit-412.traj', 'swe-agent'],
    ['mini-swe-agent/csvtool__csvtool-88.traj.json', 'mini-swe-agent'],
    ['openhands/mdlint-md009.json', 'openhands'],
    ['openhands/mdlint-md041.json', 'openhands'],
    ['otlp-json/orderbot-tax.otlp.json', 'otlp-json'],
  ])('knows %s as %s', (file, format) => {
    expect(detectFormat(fixture(file))).toBe(format);
  });

  it('knows nothing else, and says to pass --format', () => {
    expect(detectFormat('{"hello": "world"}')).toBeNull();
    expect(() => parseTranscript('{"hello": "world"}', 'x.json')).toThrow(/not a transcript format Loopwright knows; pass --format/);
  });
});

describe('Claude Code sessions', () => {
  it('reads tool calls as steps, exit codes from is_error, the session id and the delivered edits', () => {
    const run = only('claude-code/cc-thrash-interrupted.jsonl');
    expect(run.ids).toHaveLength(1);
    expect(run.steps.filter((s) => s.kind === 'command').map((s) => s.exitCode)).toEqual([1, 1]);
    expect(run.change.map((c) => c.path)).toEqual(['docs/unicode-notes.md']);
    expect(run.endedBy).toBe('interrupted');
  });

  it('takes a user prompt as the task, and the last assistant text as the final message', () => {
    const run = only('claude-code/cc-slugify-clean.jsonl');
    expect(run.task).toMatch(/^slugify\("Hello, World!"\)/);
    expect(run.finalMessage).toMatch(/All tests pass \(2 of 2\)\.$/);
    expect(kinds('claude-code/cc-slugify-clean.jsonl')).toEqual(['message', 'read', 'search', 'edit', 'command', 'message']);
  });

  it('names the line of a broken entry, and a cut-off last line as a truncation', () => {
    const text = fixture('claude-code/cc-slugify-clean.jsonl').split('\n');
    const broken = [...text.slice(0, 3), '{"type": "user", nope}', ...text.slice(3)].join('\n');
    expect(() => parseTranscript(broken, 'x.jsonl', 'claude-code')).toThrow(expect.objectContaining({ line: 4 }));
    const cut = text.join('\n').slice(0, -40);
    const error = (() => {
      try {
        parseTranscript(cut, 'x.jsonl', 'claude-code');
      } catch (e) {
        return e as TranscriptError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.problem).toMatch(/the last line is cut off/);
  });

  it('marks a sub-agent\'s turns with a speaker', () => {
    const line = (o: object) => JSON.stringify({ sessionId: 's1', cwd: '/r', uuid: 'u', parentUuid: null, ...o });
    const text = [
      line({ type: 'user', message: { role: 'user', content: 'Fix it' } }),
      line({ type: 'assistant', isSidechain: true, message: { id: 'm1', role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Grep', input: { pattern: 'x' } }] } }),
      line({ type: 'assistant', message: { id: 'm2', role: 'assistant', content: [{ type: 'text', text: 'Done.' }] } }),
    ].join('\n');
    const [run] = parseTranscript(text, 's.jsonl');
    expect(run.steps.map((s) => [s.kind, s.speaker])).toEqual([['search', 'sub-agent'], ['message', undefined]]);
  });
});

describe('SWE-agent trajectories', () => {
  it('reads editor actions as reads and edits, paths relative to the repository, and the instance id', () => {
    const run = only('swe-agent/textkit__textkit-412.traj');
    expect(run.ids).toEqual(['textkit__textkit-412']);
    expect(run.steps.filter((s) => s.kind === 'edit').map((s) => s.path)).toEqual(['reproduce_wrap.py', 'textkit/wrap.py']);
    expect(run.steps.filter((s) => s.kind === 'command').every((s) => s.exitCode === undefined)).toBe(true);
    expect(run.change.map((c) => c.path)).toEqual(['textkit/wrap.py']);
  });

  it('edits the file an open action opened when the state says "n/a" (SWE-agent 0.x commands)', () => {
    const run = only('swe-agent/textkit__textkit-644.traj');
    expect(run.steps.filter((s) => s.kind === 'edit' || s.kind === 'read').map((s) => [s.kind, s.path])).toEqual([
      ['read', 'textkit/indent.py'], ['edit', 'textkit/indent.py'],
    ]);
    expect(run.endedBy).toBe('cost_limit');
  });

  it('reads the end from exit_status', () => {
    expect(only('swe-agent/textkit__textkit-519.traj').endedBy).toBe('cost_limit');
    expect(only('swe-agent/textkit__textkit-603.traj').endedBy).toBe('finished');
  });

  it('names the line of a syntax error', () => {
    expect(() => parseTranscript('{\n "trajectory": [\n  {"action": "ls",, }\n ]\n}', 'x.traj', 'swe-agent')).toThrow(/^line 3: invalid JSON/);
  });
});

describe('mini-swe-agent trajectories', () => {
  it('reads the bash block and its returncode, shell edits as inferred edits, and leaves the submit command out', () => {
    const run = only('mini-swe-agent/csvtool__csvtool-88.traj.json');
    const commands = run.steps.filter((s) => s.kind === 'command');
    expect(commands.map((s) => s.exitCode)).toEqual([0, 0, 0, 0, 0]);
    expect(commands.some((s) => /COMPLETE_TASK_AND_SUBMIT/.test(s.input ?? ''))).toBe(false);
    expect(run.steps.filter((s) => s.kind === 'edit').map((s) => [s.path, s.editedBy])).toEqual([['/tmp/bom.csv', 'shell'], ['csvtool/reader.py', 'shell']]);
    expect(run.task).toMatch(/^read_rows\(\) keeps the UTF-8 byte order mark/);
  });

  it('reads the command of a tool-calling model from its tool call, and the result from the tool message', () => {
    const doc = {
      info: { exit_status: 'Submitted', submission: '' }, trajectory_format: 'mini-swe-agent-1.1', instance_id: 'x-1',
      messages: [
        { role: 'user', content: 'Fix it' },
        { role: 'assistant', content: 'Run the tests.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{"command": "pytest -q"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '<returncode>1</returncode>\n<output>\n1 failed\n</output>' },
      ],
    };
    const [run] = parseTranscript(JSON.stringify(doc), 'x-1.traj.json');
    expect(run.steps.filter((s) => s.kind === 'command').map((s) => [s.input, s.exitCode, s.output])).toEqual([['pytest -q', 1, '1 failed']]);
  });

  it('tells the step limit from the cost limit behind LimitsExceeded', () => {
    const run = only('mini-swe-agent/csvtool__csvtool-97.traj.json');
    expect([run.endedBy, run.maxTurns]).toEqual(['turn_limit', 4]);
    const doc = JSON.parse(fixture('mini-swe-agent/csvtool__csvtool-97.traj.json'));
    doc.info.model_stats.instance_cost = 3.2;
    expect(parseTranscript(JSON.stringify(doc), 'x.traj.json')[0].endedBy).toBe('cost_limit');
  });
});

describe('OpenHands event streams', () => {
  it('pairs actions with their observations for output and exit code', () => {
    const run = only('openhands/mdlint-md009.json');
    expect(run.steps.map((s) => [s.kind, s.exitCode])).toEqual([['read', undefined], ['edit', undefined], ['command', 0]]);
    expect(run.steps[0].path).toBe('mdlint/rules/md009.py');
    expect(run.finalMessage).toMatch(/all 4 tests pass\.$/);
  });

  it('reads a question, and the iteration limit from the error observation', () => {
    const run = only('openhands/mdlint-fix-flag.json');
    expect(run.steps.filter((s) => s.kind === 'question')).toHaveLength(1);
    expect(run.endedBy).toBe('turn_limit');
    expect(run.maxTurns).toBe(30);
  });
});

describe('OpenTelemetry GenAI traces', () => {
  it('names the speaker of each step when more than one agent worked', () => {
    const run = only('otlp-json/orderbot-discount.otlp.json');
    expect([...new Set(run.steps.map((s) => s.speaker))]).toEqual(['planner', 'coder']);
    expect(run.task).toMatch(/^The order total ignores the discount code/);
  });

  it('reads exit codes from process.exit.code or the tool result, and a timeout on the root span', () => {
    const run = only('otlp-json/orderbot-shipping-timeout.otlp.json');
    expect(run.steps.filter((s) => s.kind === 'command').map((s) => s.exitCode)).toEqual([1, 1]);
    expect(run.endedBy).toBe('time_limit');
    expect(only('otlp-json/orderbot-tax.otlp.json').steps.find((s) => s.kind === 'command')?.exitCode).toBe(0);
  });
});
