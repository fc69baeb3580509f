import { readTestRun } from './test-run';

describe("readTestRun: a line whose exit status cannot be the runner's", () => {
  const outcomeOf = (line: string, output: string, exitCode: number | null | undefined, goal = '') => readTestRun(line, output, exitCode, goal)?.outcome ?? 'no test run';
  const TRACE = "node:assert:399\n    throw err;\nAssertionError [ERR_ASSERTION]: 5 == 4\n    at Object.<anonymous> (test/sum.test.js:4:8)";

  // Each of these exits 0 whatever the runner did: without a runner's summary in the output, it is no test run.
  it.each([
    'npm test || true',
    'node test/sum.test.js; true',
    'node test/sum.test.js || echo done',
    'set +e; npm test; exit 0',
    '(npm test) || :',
    '{ npm test; } || true',
    'npm test | tail -5',
    'npm test 2>&1 | tee test.log',
    'npm test |& tail',
    'set -o pipefail; set +o pipefail; npm test | tail -5',
    'npm test &',
    '! npm test',
    'npm test; echo "exit: $?"',
    'npm test && echo ok; true',
    'true || npm test',
    "trap 'exit 0' EXIT; npm test",
    'npm test || exit 0',
    'npm test & exit /b 0',
    'npm test; or true',
    'cd app && (npm test || true)',
    'node test/a.test.js; node test/b.test.js',
  ])('%s', (line) => {
    expect(outcomeOf(line, TRACE, 0)).toBe('no test run');
    expect(outcomeOf(line, 'done', 0)).toBe('no test run');
  });

  it("reads such a line by the runner's own summary when the output shows it", () => {
    expect(outcomeOf('npm test || true', 'Tests:       1 failed, 4 passed, 5 total', 0)).toBe('failed');
    expect(outcomeOf('npm test || true', 'Tests:       5 passed, 5 total', 0)).toBe('passed');
    expect(outcomeOf('pytest -q | tail -1', '12 passed in 0.87s', 0)).toBe('passed');
    expect(outcomeOf('node --test test/ || true', '# pass 3\n# fail 1', 0)).toBe('failed');
  });

  it('still reads a killed run as failed', () => {
    expect(outcomeOf('npm test || true', '', null)).toBe('failed');
  });

  // The status of each of these is the runner's whenever the runner fails.
  it.each([
    'npm test',
    'cd app && npm test -- --ci',
    'npm test && echo ok',
    'npm run build && npm test',
    'false || true && npm test',
    'npm test || exit 1',
    'npm test || exit $?',
    'npm test || { echo failed; exit 1; }',
    'npm test || false',
    'npm test; exit',
    'npm test; exit $?',
    'set -o pipefail; npm test 2>&1 | tee test.log',
    'set -euo pipefail\nnpm test | tail -5',
    'set -o errexit -o pipefail; npm test | tail -5',
    'npm test 2>&1',
    'npm test &> test.log',
    'npm test > test.log 2>&1',
    'pytest a && pytest b',
    '(cd app && npm test)',
  ])('%s', (line) => {
    expect(outcomeOf(line, TRACE, 1)).toBe('failed');
    expect(outcomeOf(line, 'done', 0)).toBe('passed');
  });

  it("reads the goal's own test command the same way", () => {
    expect(outcomeOf('./check-all || true', 'done', 0, './check-all')).toBe('no test run');
    expect(outcomeOf('./check-all', 'done', 0, './check-all')).toBe('passed');
  });

  it('is no test run when the line runs no tests', () => {
    expect(readTestRun('ls test/', 'sum.test.js', 0)).toBeNull();
  });
});
