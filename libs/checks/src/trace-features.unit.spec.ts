import { TraceStep } from '@loopwright/events';
import { computeTraceFeatures, TRACE_FEATURE_NAMES, TraceWork } from './trace-features';
import { SCOPE_REFUSAL } from './path-scope';

type StepInput = Partial<TraceStep> & Pick<TraceStep, 'kind'>;
const trace = (...steps: StepInput[]): TraceStep[] =>
  steps.map((s, i) => TraceStep.parse({ taskId: 't1', iteration: 1, step: i, ...s }));
const run = (input: string, exitCode: number | null, extra: Partial<TraceStep> = {}): StepInput => ({
  kind: 'tool', tool: 'run_command', input, exitCode, ...extra,
});
const write = (path: string, refused?: string): StepInput => ({ kind: 'tool', tool: 'write_file', input: path, refused });

const work: TraceWork = {
  testCommand: 'node test/sum.test.js',
  allowedPaths: ['src/**'],
  claims: { testsPass: true, testsRun: true, summary: '' },
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
        { kind: 'model' },
        { kind: 'tool', tool: 'read_file', input: 'test/sum.test.js' },
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
      files_written: 1,
      out_of_scope_writes: 0,
      max_identical_failures: 0,
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

  it('counts test runs by the test command inside the command line, and takes the last in step order', () => {
    const steps = trace(
      run('node test/sum.test.js', 1),
      run('cd /sandbox &&   node  test/sum.test.js  --verbose', 0),
      run('node test/other.test.js', 0),
    );
    const shuffled = [steps[2], steps[0], steps[1]];
    expect(computeTraceFeatures(shuffled, work)).toMatchObject({
      commands_run: 3,
      test_runs: 2,
      passing_test_runs: 1,
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

  it('counts writes refused for scope and writes aimed outside the allowed paths as out of scope', () => {
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
    expect(features).toMatchObject({ files_written: 2, out_of_scope_writes: 3, refused_actions: 3 });
  });

  it('finds the largest count of one identical failing command line', () => {
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
    expect(features).toMatchObject({ max_identical_failures: 3, failed_commands: 5, test_runs: 4, passing_test_runs: 1 });
  });

  it('reads questions, claims, budget and ending from the trace and the work', () => {
    const features = computeTraceFeatures(trace({ kind: 'question', output: 'Should sum accept strings?' }), {
      ...work,
      claims: { testsPass: false, testsRun: false, summary: '' },
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
});
