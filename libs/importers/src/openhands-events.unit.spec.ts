import type { ImportedRun } from './imported-run';
import { gradeImportedRun } from './grade-imported-run.test-helper';
import { parseTranscript } from './read-transcript';

/** OpenHands event streams as OpenHands writes them: actions, the observations they cause, errors on the way. */
let nextId = 0;
const event = (o: Record<string, unknown>) => ({ id: nextId++, timestamp: '2026-11-30T09:00:00.000000', message: '', ...o });
const userSays = (content: string) => event({ source: 'user', action: 'message', args: { content, image_urls: null, wait_for_response: false } });
const run = (command: string, extra: Record<string, unknown> = {}) =>
  event({ source: 'agent', action: 'run', args: { command, is_input: false, thought: '', blocking: false, hidden: false, confirmation_state: 'confirmed', ...extra } });
const ran = (cause: number, content: string, exitCode: number) =>
  event({ source: 'agent', cause, observation: 'run', content, extras: { command: '', metadata: { exit_code: exitCode, working_dir: '/workspace/shop' } } });
const edit = (path: string, oldStr: string, newStr: string) =>
  event({ source: 'agent', action: 'edit', args: { path, command: 'str_replace', file_text: null, old_str: oldStr, new_str: newStr, thought: '' } });
const edited = (cause: number, path: string) =>
  event({ source: 'agent', cause, observation: 'edit', content: `The file ${path} has been edited.`, extras: { path, prev_exist: true } });
const failedWith = (cause: number, content: string) => event({ source: 'agent', cause, observation: 'error', content, extras: { error_id: '' } });
const finish = (text: string) => event({ source: 'agent', action: 'finish', args: { final_thought: text, task_completed: 'true', outputs: {}, thought: '' } });
/** A run that finishes: the user's task, the agent's actions and observations, its final word. */
const finishedRun = (task: string, events: () => object[], final: string) => {
  nextId = 0;
  return [userSays(task), ...events(), finish(final), state('finished')];
};
const state = (agentState: string) => event({ source: 'environment', observation: 'agent_state_changed', content: '', extras: { agent_state: agentState, reason: '' } });

function read(events: object[]): ImportedRun {
  const runs = parseTranscript(JSON.stringify(events), 'shop-12.json', 'openhands');
  expect(runs).toHaveLength(1);
  return runs[0];
}

const features = (imported: ImportedRun) => gradeImportedRun(imported, { allowedPaths: ['src/**'], scratchPaths: ['/tmp/**'], testCommand: 'pytest' }).features;

beforeEach(() => {
  nextId = 0;
});

describe('OpenHands: errors a tool answers with', () => {
  it('reads an edit the editor refused as no edit, and the run that went on to finish as finished', () => {
    const path = '/workspace/shop/src/discount.py';
    const imported = read(finishedRun('Fix the discount rounding.', () => [
      run('cd /workspace/shop && python -m pytest tests/test_discount.py'), // 1
      ran(1, '============ 1 failed, 4 passed in 0.31s ============', 1),
      edit(path, 'round(x, 1)', 'round(x, 2)'), // 3
      failedWith(3, `ERROR:\nNo replacement was performed, old_str \`round(x, 1)\` did not appear verbatim in ${path}.`),
      run('cd /workspace/shop && python -m pytest tests/test_discount.py'), // 5
      ran(5, '============ 1 failed, 4 passed in 0.31s ============', 1),
      edit(path, 'round(x)', 'round(x, 2)'), // 7
      edited(7, path),
      run('cd /workspace/shop && python -m pytest tests/test_discount.py'), // 9
      ran(9, '============ 5 passed in 0.30s ============', 0),
    ], 'Rounding fixed; all 5 tests pass.'));
    expect(imported.endedBy).toBe('finished');
    expect(imported.steps.filter((s) => s.kind === 'edit').map((s) => s.refused)).toEqual([expect.stringMatching(/No replacement was performed/), undefined]);
    const f = features(imported);
    expect([f.files_written, f.max_identical_failures]).toEqual([1, 2]);
  });

  it('reads a command the runtime would not run as refused, not as run', () => {
    const imported = read(finishedRun('Run the tests.', () => [
      run('pytest tests/test_cart.py\npytest tests/test_discount.py'), // 1
      failedWith(1, 'ERROR: Cannot execute multiple commands at once.\nPlease run each command separately OR chain them into a single command via && or ;'),
    ], 'Could not run them.'));
    expect(imported.endedBy).toBe('finished');
    expect(features(imported).commands_run).toBe(0);
  });

  it('reads waiting on a running command (an empty command) and keys sent to it as input to that command, whose outcome it gets', () => {
    const quiet = "[The command has no new output after 30 seconds. You may wait longer to see additional output by sending empty command '', send other commands to interact with the current process, or send keys to interrupt/kill the command.]";
    const imported = read(finishedRun('Run the tests.', () => [
      run('cd /workspace/shop && python -m pytest tests'), // 1
      ran(1, quiet, -1),
      run(''), // 3
      ran(3, quiet, -1),
      run('', { is_input: true }), // 5
      ran(5, '============ 1 failed, 40 passed in 75.2s ============', 1),
    ], 'One test fails.'));
    expect(imported.steps.filter((s) => s.kind === 'command').map((s) => [s.input, s.exitCode])).toEqual([['cd /workspace/shop && python -m pytest tests', 1]]);
    const f = features(imported);
    expect([f.commands_run, f.test_runs, f.passing_test_runs, f.last_test_exit_code, f.max_identical_failures]).toEqual([1, 1, 0, 1, 1]);
  });

  it('keeps an action it has no step for as a visible step, and names it in the gaps', () => {
    const imported = read(finishedRun('Look up the tax table and fix the rate.', () => [
      event({ source: 'agent', action: 'mcp', args: { name: 'fetch_tax_table', arguments: { region: 'EU' }, thought: '' } }), // 1
      event({ source: 'agent', cause: 1, observation: 'mcp', content: '{"rate": 0.2}', extras: { name: 'fetch_tax_table' } }),
      event({ source: 'agent', action: 'condensation', args: { forgotten_event_ids: [1], summary: null } }),
    ], 'Rate set to 0.2.'));
    expect(imported.steps.map((s) => [s.kind, s.tool, s.output])).toEqual([['thought', 'mcp', '{"rate": 0.2}']]);
    expect(imported.gaps.join('\n')).toMatch(/mcp/);
  });
});

describe('OpenHands: IPython cells', () => {
  const cell = (code: string) => event({ source: 'agent', action: 'run_ipython', args: { code, thought: '', include_extra: true, confirmation_state: 'confirmed', kernel_init_code: '' } });
  const printed = (cause: number, content: string) => event({ source: 'agent', cause, observation: 'run_ipython', content, extras: { code: '' } });

  it("reads a cell's shell escapes (!pytest, %cd) as the command line it runs, and Python's > as no redirection", () => {
    const python = read(finishedRun('Why is the discount wrong?', () => [
      cell("with open('/workspace/shop/src/discount.py') as f:\n    print(len(f.read()) > limit)"), // 1
      printed(1, 'True'),
    ], 'It rounds too early.'));
    const shell = read(finishedRun('Run the discount tests.', () => [
      cell('%cd /workspace/shop\n!python -m pytest tests/test_discount.py'), // 1
      printed(1, '============ 1 failed, 4 passed in 0.31s ============'),
    ], 'One test fails.'));
    expect(shell.steps.find((s) => s.kind === 'command')?.output).toMatch(/1 failed/);
    const [p, sh] = [features(python), features(shell)];
    expect([p.files_written, p.out_of_scope_attempts, sh.test_runs, sh.passing_test_runs]).toEqual([0, 0, 1, 0]);
  });
});
