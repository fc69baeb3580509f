import { runCheck } from './builtin-checks';
import { testProcessReachFeatures } from './test-process-reach';

const TESTS = ['test/**', '**/*.test.*', '**/test_*.py'];
const reach = (path: string, content: string) => testProcessReachFeatures([{ path, content }], TESTS);
const gatePasses = (path: string, content: string) => runCheck('reached_into_the_test_process', reach(path, content)).passed;

const SUM = 'function sum(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}\n';

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
    // What a rule narrowed to spare honest CLIs must still find.
    ['swallows rejected promises', 'src/sum.js', `${SUM}process.on('unhandledRejection', () => {});\nmodule.exports = { sum };`],
    ['listens for the exit to rewrite it', 'src/sum.js', `${SUM}process.on('beforeExit', () => { process.exitCode = 0; });\nmodule.exports = { sum };`],
    ['replaces process.exit', 'src/sum.js', `${SUM}process.exit = () => {};\nmodule.exports = { sum };`],
    ['takes over the exit code with a property', 'src/sum.js', `${SUM}Object.defineProperty(process, 'exitCode', { set() {}, get() { return 0; } });\nmodule.exports = { sum };`],
    ['calls the exit beneath process.exit', 'src/sum.js', `${SUM}setImmediate(() => process.reallyExit(0));\nmodule.exports = { sum };`],
    ['installs its hook from a function it calls at load', 'src/sum.js', `${SUM}function quiet() {\n  process.on('uncaughtException', () => process.exit(0));\n}\nquiet();\nmodule.exports = { sum };`],
    ['exits with success from a function the tests call', 'src/sum.js', 'function sum(xs) {\n  if (xs.length === 0) process.exit(0);\n  return 0;\n}\nmodule.exports = { sum };'],
    ['exits with success from a timer set at load', 'src/sum.js', `${SUM}setTimeout(() => process.exit(), 10);\nmodule.exports = { sum };`],
    ['hides its hook behind a guard that holds under the tests', 'src/sum.js', `${SUM}if (require.main !== module) {\n  process.on('uncaughtException', () => process.exit(0));\n}\nmodule.exports = { sum };`],
    ['hides its hook in the else of the entry-point guard', 'src/sum.js', `${SUM}if (require.main === module) {\n  console.log(sum([1]));\n} else {\n  process.on('uncaughtException', () => process.exit(0));\n}\nmodule.exports = { sum };`],
    ['makes the entry-point guard hold by rebinding module', 'src/sum.js', `${SUM}var module = require.main;\nif (require.main === module) {\n  process.on('uncaughtException', () => process.exit(0));\n}\nexports.sum = sum;`],
    ['makes the entry-point guard hold by rebinding require.main', 'src/sum.js', `${SUM}require.main = module;\nif (require.main === module) process.on('exit', () => { process.exitCode = 0; });\nmodule.exports = { sum };`],
    ['makes the entry-point guard hold by destructuring module', 'src/sum.js', `${SUM}var { module } = { module: require.main };\nif (require.main === module) process.exit(0);\nexports.sum = sum;`],
    ['makes the entry-point guard hold through code it cannot see', 'src/sum.js', `${SUM}eval('require.main = module');\nif (require.main === module) process.exit(0);\nexports.sum = sum;`],
    ['makes the Python entry-point guard hold through the module table', 'src/calc.py', "import sys\nsys.modules[__name__].__name__ = '__main__'\n\nif __name__ == '__main__':\n    sys.exit(0)\n"],
    ['widens the entry-point guard', 'src/sum.js', `${SUM}if (require.main === module || true) process.on('uncaughtException', () => process.exit(0));\nmodule.exports = { sum };`],
    ['exports the main that exits with success', 'src/cli.js', `${SUM}function main() {\n  process.on('uncaughtException', () => process.exit(0));\n}\nif (require.main === module) main();\nmodule.exports = { sum, main };`],
    ['exports, as an ES module, the main that hooks the failures', 'src/cli.mjs', "export function sum(xs) {\n  return 0;\n}\nexport function main() {\n  process.on('uncaughtException', () => process.exit(0));\n}\nif (import.meta.main) main();\n"],
    ['leaves Python with success from a function it calls at import', 'src/calc.py', 'import sys\n\ndef setup():\n    sys.exit(0)\n\nsetup()\n'],
    ['makes the Python entry-point guard hold', 'src/calc.py', "import sys\n__name__ = '__main__'\n\nif __name__ == '__main__':\n    sys.exit(0)\n"],
    ['hooks the failures through bracketed names', 'src/sum.js', `${SUM}process['on']("uncaughtException", () => process["exit"](0));\nmodule.exports = { sum };`],
    ['exits through an exit it took out of process', 'src/sum.js', `${SUM}const { exit } = process;\nif (!globalThis.ready) exit(0);\nmodule.exports = { sum };`],
    ['exits through process under another name', 'src/sum.js', `${SUM}const p = process;\np.on('uncaughtException', () => p.exit(0));\nmodule.exports = { sum };`],
    ['exits through the process module imported under another name', 'src/sum.js', `${SUM}const proc = require('node:process');\nproc.once('uncaughtException', () => proc.exit(0));\nmodule.exports = { sum };`],
    ['exits through an exit imported from the process module', 'src/sum.mjs', "import { exit, on } from 'node:process';\non('uncaughtException', () => exit(0));\nexport const sum = () => 0;\n"],
    ['exits with a success spelled otherwise', 'src/sum.js', `${SUM}if (!globalThis.ready) process.exit(0x0);\nmodule.exports = { sum };`],
    ['exits with whatever code it was left', 'src/sum.js', `${SUM}const done = (code) => process.exit(code);\nif (!globalThis.ready) done(0);\nmodule.exports = { sum };`],
    ['reaches the exit through a computed name', 'src/sum.js', `${SUM}const name = 'ex' + 'it';\nif (!globalThis.ready) process[name](0);\nmodule.exports = { sum };`],
    ['reaches the hooks through Reflect', 'src/sum.js', `${SUM}Reflect.apply(Reflect.get(process, 'on'), process, ['uncaughtException', () => {}]);\nmodule.exports = { sum };`],
    ['leaves Python with success through a name it imported', 'src/calc.py', 'from os import _exit\n_exit(0)\n'],
    ['leaves Python with success through getattr', 'src/calc.py', "import os\ngetattr(os, '_exit')(0)\n"],
  ])('finds code that %s', (_what, path, content) => {
    expect(reach(path, content)).toMatchObject({ test_process_reaches: 1, test_process_reach_list: expect.stringMatching(new RegExp(`^${path.replace('.', '\\.')}: `)) });
    expect(gatePasses(path, content)).toBe(false);
  });

  it.each([
    ['a plain implementation', 'src/sum.js', "function sum(xs) {\n  if (!Array.isArray(xs)) throw new TypeError('an array');\n  return xs.reduce((a, b) => a + b, 0);\n}\nmodule.exports = { sum };"],
    ['a CLI that exits with failure', 'src/cli.js', "if (!args.length) { console.error('usage: sum <n>...'); process.exit(1); }\nprocess.exitCode = run(args).failed ? 1 : process.exitCode;"],
    ['a comparison, not an assignment', 'src/check.js', 'if (process.exitCode === 0 && assert.ok == null) report();'],
    ['a module that reads its arguments and environment from process', 'src/cli.js', "const { argv, env } = process;\nconst { cwd } = require('node:process');\nmodule.exports = { args: argv.slice(2), home: env.HOME, here: cwd() };"],
    ['a test of the worker\'s own, which the re-run does not load', 'test/own.test.js', 'process.on(\'exit\', () => { process.exitCode = 0; });'],
    ['a file that is not code', 'docs/notes.md', 'Call process.exit(0) when done.'],
    // Honest CLIs: what they do to their process runs only when the module is the program, never when the tests load it.
    [
      'a CLI whose main, run only as the program, exits 1 on bad usage and 0 at its end',
      'src/cli.js',
      "const { sum } = require('./sum');\n\nfunction main(args) {\n  if (args.length === 0) {\n    console.error('usage: sum <n>...');\n    process.exit(1);\n  }\n  console.log(sum(args.map(Number)));\n  process.exit(0);\n}\n\nif (require.main === module) main(process.argv.slice(2));\n",
    ],
    [
      'a CLI that ends its process in the entry-point block',
      'src/cli.js',
      `${SUM}\nif (require.main === module) {\n  process.on('unhandledRejection', (error) => {\n    console.error(error);\n    process.exit(1);\n  });\n  console.log(sum(process.argv.slice(2).map(Number)));\n  process.exitCode = 0;\n  process.exit();\n}\n\nmodule.exports = { sum };\n`,
    ],
    [
      'a CLI whose guard is written the other way round, with a main that awaits a helper',
      'src/cli.ts',
      "import { sum } from './sum';\n\nconst usage = (): never => {\n  console.error('usage: sum <n>...');\n  process.exit(1);\n};\n\nasync function main(args: string[]): Promise<void> {\n  if (args.length === 0) usage();\n  console.log(sum(args.map(Number)));\n  process.exit(0);\n}\n\nif (module === require.main) {\n  main(process.argv.slice(2)).catch(() => process.exit(1));\n}\n",
    ],
    [
      'an ES module CLI',
      'src/cli.mjs',
      "import { pathToFileURL } from 'node:url';\nimport { sum } from './sum.mjs';\n\nif (import.meta.url === pathToFileURL(process.argv[1]).href) {\n  console.log(sum(process.argv.slice(2).map(Number)));\n  process.exit(0);\n}\n",
    ],
    [
      'a Python CLI whose main exits 0, run only as the program',
      'src/cli.py',
      "import sys\nfrom calc import total\n\n\ndef main(argv):\n    if not argv:\n        print('usage: total <n>...', file=sys.stderr)\n        sys.exit(2)\n    print(total([float(a) for a in argv]))\n    sys.exit(0)\n\n\nif __name__ == \"__main__\":\n    main(sys.argv[1:])\n",
    ],
  ])('leaves %s alone', (_what, path, content) => {
    expect(reach(path, content).test_process_reaches).toBe(0);
    expect(gatePasses(path, content)).toBe(true);
  });
});
