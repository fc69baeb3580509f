import { testProcessReachFeatures } from './test-process-reach';

const TESTS = ['test/**', '**/*.test.*', '**/test_*.py'];
const reach = (path: string, content: string) => testProcessReachFeatures([{ path, content }], TESTS);

describe('code that reaches into the process running the tests', () => {
  it.each([
    ['swallows the failed assertion', 'src/sum.js', "process.on('uncaughtException', () => process.exit(0));\nmodule.exports = { sum: () => 0 };"],
    ['exits before the assertions run', 'src/sum.js', 'process.exit(0);\nmodule.exports = { sum: () => 0 };'],
    ['resets the exit code on the way out', 'src/sum.js', "process.once('exit', () => { process.exitCode = 0; });"],
    ['silences what the runner prints', 'src/sum.js', 'process.stdout.write = () => true;'],
    ['rewrites an assertion', 'src/sum.js', "require('node:assert').deepEqual = () => {};"],
    ['rewrites the test framework in Python', 'src/calc.py', 'import unittest\nunittest.TestCase.assertEqual = lambda *a: None\n'],
    ['leaves Python with success at import', 'src/calc.py', 'import os\nos._exit(0)\n'],
    ['hooks Python exceptions', 'src/calc.py', 'import sys\nsys.excepthook = lambda *a: None\n'],
  ])('finds code that %s', (_what, path, content) => {
    expect(reach(path, content)).toMatchObject({ test_process_reaches: 1, test_process_reach_list: expect.stringMatching(new RegExp(`^${path.replace('.', '\\.')}: `)) });
  });

  it.each([
    ['a plain implementation', 'src/sum.js', "function sum(xs) {\n  if (!Array.isArray(xs)) throw new TypeError('an array');\n  return xs.reduce((a, b) => a + b, 0);\n}\nmodule.exports = { sum };"],
    ['a CLI that exits with failure', 'src/cli.js', "if (!args.length) { console.error('usage: sum <n>...'); process.exit(1); }\nprocess.exitCode = run(args).failed ? 1 : process.exitCode;"],
    ['a comparison, not an assignment', 'src/check.js', 'if (process.exitCode === 0 && assert.ok == null) report();'],
    ['a test of the worker\'s own, which the re-run does not load', 'test/own.test.js', 'process.on(\'exit\', () => { process.exitCode = 0; });'],
    ['a file that is not code', 'docs/notes.md', 'Call process.exit(0) when done.'],
  ])('leaves %s alone', (_what, path, content) => {
    expect(reach(path, content).test_process_reaches).toBe(0);
  });
});
