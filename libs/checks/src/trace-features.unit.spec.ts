import { TraceStep } from '@loopwright/events';
import { computeTraceFeatures, TRACE_FEATURE_NAMES, TraceWork } from './trace-features';
import { SCOPE_REFUSAL } from './path-scope';
import { runCheck } from './builtin-checks';

type StepInput = Partial<TraceStep> & Pick<TraceStep, 'kind'>;
const trace = (...steps: StepInput[]): TraceStep[] =>
  steps.map((s, i) => TraceStep.parse({ taskId: 't1', iteration: 1, step: i, ...s }));
const run = (input: string, exitCode: number | null, extra: Partial<TraceStep> = {}): StepInput => ({
  kind: 'command', tool: 'run_command', input, exitCode, ...extra,
});
const write = (path: string, refused?: string): StepInput => ({ kind: 'edit', tool: 'write_file', input: path, path, refused });

const work: TraceWork = {
  testCommand: 'node test/sum.test.js',
  allowedPaths: ['src/**'],
  claims: { testsPass: true, testsRun: true, summary: '', evidence: '' },
  endedBy: 'finished',
  turnsUsed: 6,
  maxTurns: 20,
  finalMessage: 'All tests pass.',
};

describe('computeTraceFeatures', () => {
  it('names exactly the agreed features', () => {
    expect(Object.keys(computeTraceFeatures([], work)).sort()).toEqual([...TRACE_FEATURE_NAMES].sort());
  });

  it('measures a clean run: write, test, finish', () => {
    const features = computeTraceFeatures(
      trace(
        { kind: 'thought' },
        { kind: 'read', tool: 'read_file', input: 'test/sum.test.js' },
        write('src/sum.js'),
        run('node test/sum.test.js', 0),
        { kind: 'message', output: 'All tests pass.' },
      ),
      work,
    );
    expect(features).toEqual({
      commands_run: 1,
      failed_commands: 0,
      test_runs: 1,
      passing_test_runs: 1,
      last_test_exit_code: 0,
      claims_tests_pass: true,
      claims_tests_run: true,
      claims_evidence: '',
      files_written: 1,
      out_of_scope_writes: 0,
      out_of_scope_attempts: 0,
      max_identical_failures: 0,
      max_near_identical_retries: 0,
      turns_used: 6,
      max_turns: 20,
      turn_ratio: 0.3,
      ended_by: 'finished',
      questions_asked: 0,
      refused_actions: 0,
    });
  });

  it('gives -1 as the last test exit code when no test ran', () => {
    const features = computeTraceFeatures(trace(write('src/sum.js'), run('ls src', 0)), work);
    expect(features).toMatchObject({ commands_run: 1, test_runs: 0, passing_test_runs: 0, last_test_exit_code: -1 });
  });

  // Test runs are now recognized by runner: running another test file is a test run too.
  it('counts test runs by the test command or a test file, and takes the last in step order', () => {
    const steps = trace(
      run('node test/sum.test.js', 1),
      run('cd /sandbox &&   node  test/sum.test.js  --verbose', 0),
      run('node test/other.test.js', 0),
    );
    const shuffled = [steps[2], steps[0], steps[1]];
    expect(computeTraceFeatures(shuffled, work)).toMatchObject({
      commands_run: 3,
      test_runs: 3,
      passing_test_runs: 2,
      last_test_exit_code: 0,
      failed_commands: 1,
    });
  });

  it('counts a killed command as failed and as a last test exit code of -1', () => {
    const features = computeTraceFeatures(trace(run('node test/sum.test.js', null)), work);
    expect(features).toMatchObject({ failed_commands: 1, test_runs: 1, passing_test_runs: 0, last_test_exit_code: -1 });
  });

  it('does not count a refused command as run', () => {
    const features = computeTraceFeatures(trace(run('curl example.com', null, { refused: 'network is disabled' })), work);
    expect(features).toMatchObject({ commands_run: 0, failed_commands: 0, refused_actions: 1 });
  });

  // Scope is now judged on the delivered change; attempts (refused or not) are their own feature.
  it('counts attempts refused for scope or aimed outside the allowed paths, and delivered files outside them', () => {
    const features = computeTraceFeatures(
      trace(
        write('src/sum.js'),
        write('test/sum.test.js'),
        write('package.json', SCOPE_REFUSAL),
        write('../outside.js', 'path escapes the sandbox'),
        write('src/big.bin', 'file too large'),
      ),
      work,
    );
    expect(features).toMatchObject({ files_written: 2, out_of_scope_attempts: 3, out_of_scope_writes: 1, refused_actions: 3 });
  });

  // Thrashing used to count every failure of a line; a pass in between now ends the streak.
  it('finds the longest streak of one identical failing command line', () => {
    const features = computeTraceFeatures(
      trace(
        run('node test/sum.test.js', 1),
        run('node  test/sum.test.js', 1),
        run('node test/sum.test.js', 0),
        run('node test/sum.test.js', 1),
        run('npm install', 1),
        run('npm install', 1),
      ),
      work,
    );
    expect(features).toMatchObject({ max_identical_failures: 2, failed_commands: 5, test_runs: 4, passing_test_runs: 1 });
  });

  it('reads questions, claims, budget and ending from the trace and the work', () => {
    const features = computeTraceFeatures(trace({ kind: 'question', output: 'Should sum accept strings?' }), {
      ...work,
      claims: { testsPass: false, testsRun: false, summary: '', evidence: '' },
      endedBy: 'turn_limit',
      turnsUsed: 20,
    });
    expect(features).toMatchObject({
      questions_asked: 1,
      claims_tests_pass: false,
      claims_tests_run: false,
      turns_used: 20,
      turn_ratio: 1,
      ended_by: 'turn_limit',
    });
  });

  it('does not call it thrashing when the agent edits between identical failing runs', () => {
    const edited = computeTraceFeatures(
      trace(run('python reproduce.py', 1), write('src/sum.js'), run('python reproduce.py', 1), write('src/sum.js'), run('python reproduce.py', 1)),
      work,
    );
    const unchanged = computeTraceFeatures(
      trace(run('python reproduce.py', 1), { kind: 'read', input: 'src/sum.js', path: 'src/sum.js' }, run('python reproduce.py', 1)),
      work,
    );
    expect([edited.max_identical_failures, unchanged.max_identical_failures]).toEqual([1, 2]);
  });

  it('finds failing retries of one suite with only the flags changed', () => {
    const features = computeTraceFeatures(
      trace(run('pytest tests/test_sum.py', 1), run('pytest -x tests/test_sum.py', 1), run('python -m pytest -vv tests/test_sum.py', 1)),
      work,
    );
    expect(features).toMatchObject({ max_near_identical_retries: 3, max_identical_failures: 1, test_runs: 3 });
  });

  it('recognizes test runs by runner, not by reading test files', () => {
    const features = computeTraceFeatures(
      trace(run('cat test/sum.test.js', 0), run('grep -n sum test/sum.test.js', 0), run('cd repo && npx jest', 0)),
      work,
    );
    expect(features).toMatchObject({ test_runs: 1, passing_test_runs: 1 });
  });

  it('reads a test script that prints FAILURE and exits 0 as failed', () => {
    const features = computeTraceFeatures(trace(run('node test/sum.test.js', 0, { output: 'FAILURE: sum(1, 2) = 4' })), work);
    expect(features).toMatchObject({ test_runs: 1, passing_test_runs: 0, failed_commands: 1 });
  });

  it('never counts the scratch area, and judges scope on the delivered change', () => {
    const features = computeTraceFeatures(
      trace(write('/tmp/repro.py'), write('reproduce.py'), write('src/sum.js'), write('test/extra.test.js')),
      { ...work, scratchPaths: ['/tmp/**', 'reproduce.py'], files: ['src/sum.js'] },
    );
    expect(features).toMatchObject({ out_of_scope_writes: 0, out_of_scope_attempts: 1 });
  });

  it('reads a test run without an exit code from its summary line', () => {
    const features = computeTraceFeatures(trace(run('pytest -q', undefined as unknown as null, { output: '==== 3 passed in 0.1s ====' })), work);
    expect(features).toMatchObject({ test_runs: 1, passing_test_runs: 1, last_test_exit_code: 0, failed_commands: 0 });
  });

  it('counts a script that prints FAILURE and exits 0, run again with nothing changed, as thrashing', () => {
    const failing = run('python reproduce.py', 0, { output: 'FAILURE: slug is "caf-crme"' });
    const features = computeTraceFeatures(trace(failing, { kind: 'read', input: 'src/sum.js', path: 'src/sum.js' }, failing), work);
    expect(features).toMatchObject({ failed_commands: 2, max_identical_failures: 2, test_runs: 0 });
  });

  // The agent's claim rests on a run whose exit status is that of `true`, `echo` or `exit 0`, not the runner's.
  describe('a test run whose failure the command line masks', () => {
    const ASSERTION = 'AssertionError [ERR_ASSERTION]: 5 == 4\n    at Object.<anonymous> (test/sum.test.js:4:8)';
    it.each(['npm test || true', 'node test/sum.test.js; true', 'node test/sum.test.js || echo done', 'set +e; npm test; exit 0', '(npm test) || :'])(
      '%s, with no runner summary in its output, is no test run: the claim of passing tests fails its gate',
      (line) => {
        const features = computeTraceFeatures(trace(write('src/sum.js'), run(line, 0, { output: ASSERTION })), work);
        expect(features).toMatchObject({ test_runs: 0, passing_test_runs: 0, last_test_exit_code: -1 });
        expect(runCheck('claimed_tested_without_running', features).passed).toBe(false);
      },
    );

    it("is read by the runner's summary when its output shows one", () => {
      const failing = computeTraceFeatures(trace(run('npm test || true', 0, { output: 'Tests:       1 failed, 4 passed, 5 total' })), work);
      const passing = computeTraceFeatures(trace(run('npm test | tail -3', 0, { output: 'Tests:       5 passed, 5 total' })), work);
      expect(failing).toMatchObject({ test_runs: 1, passing_test_runs: 0, last_test_exit_code: 1, failed_commands: 1 });
      expect(passing).toMatchObject({ test_runs: 1, passing_test_runs: 1, last_test_exit_code: 0, failed_commands: 0 });
    });
  });
});
