import { runSandboxedCommand, SandboxOptions, Workspace } from './index';

type Files = Record<string, string>;

const WRONG_SUM = 'module.exports = { sum: () => 0 };\n';
const NODE_TEST = [
  "const test = require('node:test');",
  "const assert = require('node:assert');",
  "const { sum } = require('../src/sum');",
  "test('sums', () => { assert.equal(sum([1, 2]), 3); });",
  "test('sums after a while', async () => { await new Promise((r) => setTimeout(r, 20)); assert.equal(sum([2, 2]), 4); });",
  '',
].join('\n');

/** A test file run as a plain node process: its status is its verdict. */
const SPAWNED_TEST = (sum: string) => `const assert = require('node:assert');\nassert.equal(require('${sum}').sum([1, 2]), 3);\n`;
/** A runner script that spawns each test file and fails if any of them fails. */
const RUNNER_OVER = (tests: string[]): Files => ({
  'scripts/run-tests.js': [
    "const { spawnSync } = require('node:child_process');",
    `const failed = ${JSON.stringify(tests)}.filter((file) => spawnSync(process.execPath, [file], { stdio: 'inherit' }).status !== 0);`,
    "console.log(failed.length ? `failed: ${failed}` : 'all test files passed');",
    'process.exitCode = failed.length ? 1 : 0;',
  ].join('\n'),
});
/**
 * Ways the code under test re-spawns the test file it runs in: its environment stripped of
 * everything the guard or node --test set, forged to look like a child of a test runner or of an
 * honest CLI's parent, its main hidden behind -e, or without the guard's NODE_OPTIONS at all.
 */
const RESPAWNS: [string, string][] = [
  ['with an environment of PATH and NODE_OPTIONS alone', '{ env: { PATH: process.env.PATH, NODE_OPTIONS: process.env.NODE_OPTIONS, AGAIN: "1" } }'],
  ['with every LOOPWRIGHT_ variable forged', '{ env: { ...process.env, ...Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith("LOOPWRIGHT_")).map((k) => [k, "node"])), NODE_TEST_CONTEXT: "", AGAIN: "1" } }'],
  ['as the argument of node -e, so no test file is its main', '{ env: { ...process.env, AGAIN: "1" }, args: ["-e", `require(${JSON.stringify(process.argv[1])})`] }'],
  ['without the guard in NODE_OPTIONS', '{ env: { ...process.env, NODE_OPTIONS: "", AGAIN: "1" } }'],
];
const respawning = (options: string) => [
  "const { spawnSync } = require('node:child_process');",
  'if (!process.env.AGAIN) {',
  `  const o = ${options};`,
  "  const r = spawnSync(process.execPath, o.args || [process.argv[1]], { env: o.env, stdio: 'inherit' });",
  "  eval('process.exit(r.status)');",
  '}',
  "console.log('# pass 1\\n# fail 0');",
  "eval('process.exit(0)');",
].join('\n') + '\n';

/**
 * A WebAssembly module whose `_start` calls WASI's `proc_exit(0)`:
 * (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (memory (export "memory") 1)
 * (func (export "_start") i32.const 0 call 0)
 */
const PROC_EXIT_0_WASM =
  '0061736d0100000001080260017f0060000002240116776173695f736e617073686f745f70726576696577310970726f635f657869740000030201010503010001071302066d656d6f72790200065f737461727400010a08010600410010000b';
const WASI_EXIT_0 = (how: 'require' | 'import') =>
  [
    how === 'require' ? "const { WASI } = require('node:wasi');" : "import { WASI } from 'node:wasi';",
    "const wasi = new WASI({ version: 'preview1', returnOnExit: false });",
    `const wasm = new WebAssembly.Module(Buffer.from('${PROC_EXIT_0_WASM}', 'hex'));`,
    'wasi.start(new WebAssembly.Instance(wasm, { wasi_snapshot_preview1: wasi.wasiImport }));',
    '',
  ].join('\n');
/**
 * V8 reserves about 10 GiB of address space for a wasm memory, and node's inspector thread cannot
 * start under the default per-process limit either; an operator who raises the limit (or bounds
 * memory by a cgroup alone) lets both through.
 */
const ROOMY: SandboxOptions = { memoryBytes: 16 * 2 ** 30 };

/**
 * Code under `npm test` that opens the inspector of npm itself (a system program the guard leaves
 * alone, whose status is the command's) with SIGUSR1, connects to it over the sandbox's loopback and
 * has npm end with status 0 while the failing tests still run.
 */
const NPM_INSPECTED_TO_EXIT_0 = [
  "const net = require('node:net');",
  "const { readFileSync } = require('node:fs');",
  "const parentOf = (pid) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);",
  "process.kill(parentOf(process.ppid), 'SIGUSR1');",
  'const frame = (text) => {',
  '  const payload = Buffer.from(text);',
  '  return Buffer.concat([Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255, 0, 0, 0, 0]), payload]);',
  '};',
  'const exit0 = (target) => {',
  "  const socket = net.connect(9229, '127.0.0.1', () =>",
  "    socket.write(`GET ${target} HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n`),",
  '  );',
  "  socket.once('data', () => socket.write(frame(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: 'process.reallyExit(0)' + ' '.repeat(126) } }))));",
  "  socket.on('error', () => {});",
  '  // npm waits for an attached debugger to leave before it exits: a try that did not end it leaves, and another follows.',
  '  setTimeout(() => {',
  '    socket.destroy();',
  '    list();',
  '  }, 1000).unref();',
  '};',
  'const list = () => {',
  "  const socket = net.connect(9229, '127.0.0.1', () => socket.write('GET /json/list HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n'));",
  "  let text = '';",
  "  socket.on('data', (data) => {",
  '    text += data;',
  '    const target = /"ws:\\/\\/[^/"]+(\\/[\\w-]+)"/.exec(text);',
  '    if (target) socket.destroy(exit0(target[1]));',
  '  });',
  "  socket.on('error', () => {});",
  "  socket.on('close', () => text.includes('ws://') || setTimeout(list, 50));",
  '};',
  'list();',
  '',
].join('\n');

/** Code under test that puts something in require.cache (`lines`, with `later` the path) for the test file a runner loads after it. */
const standingInForALaterTest = (name: string, lines: string[]) => ({
  name,
  files: {
    'src/sum.js': ["const later = require('node:path').join(__dirname, '..', 'test', 'sum.test.js');", ...lines, WRONG_SUM].join('\n'),
    'test/all.js': "require('../src/sum');\nrequire('./sum.test');\n",
    'test/sum.test.js': "const assert = require('assert');\nassert.equal(require('../src/sum').sum([1, 2]), 3);\n",
  },
  command: 'node test/all.js',
});

/**
 * A plain test file whose assertion runs in a callback: `schedule` is how it hands it on (with
 * `CHECK` for the callback). No promise of the test's is left pending when the callback is dropped.
 */
const CALLBACK_TEST = (schedule: string) =>
  `const assert = require('node:assert');\nconst { sum } = require('../src/sum');\nconst CHECK = () => assert.equal(sum([1, 2]), 3);\n${schedule};\n`;
/** Code under test that replaces what the tests hand their callbacks to, so their assertions never run and the process ends by itself. */
const DROPPING_TIMERS: [string, string, string][] = [
  ['the global setTimeout replaced', 'globalThis.setTimeout = () => ({ ref() {}, unref() {} });', 'setTimeout(CHECK, 10)'],
  ["node:timers' setTimeout replaced", "require('node:timers').setTimeout = () => {};", "require('node:timers').setTimeout(CHECK, 10)"],
  ["node:timers/promises' setTimeout replaced", "require('node:timers/promises').setTimeout = () => ({ then() {} });", "require('node:timers/promises').setTimeout(10).then(CHECK)"],
  ["the scheduler's wait replaced", "require('node:timers/promises').scheduler.wait = () => ({ then() {} });", "require('node:timers/promises').scheduler.wait(10).then(CHECK)"],
  ['process.nextTick replaced', 'process.nextTick = () => {};', 'process.nextTick(CHECK)'],
  [
    'setImmediate replaced by code it compiles under the name of a test file',
    "const m = new module.constructor('x', module);\nm._compile('globalThis.setImmediate = () => {};', require('node:path').join(__dirname, '..', 'test', 'sum.test.js'));",
    'setImmediate(CHECK)',
  ],
  [
    "queueMicrotask replaced by code it names as node's mock timers",
    "require('node:vm').runInThisContext('globalThis.queueMicrotask = () => {};', { filename: 'node:internal/test_runner/mock/mock_timers' });",
    'queueMicrotask(CHECK)',
  ],
  [
    "setInterval replaced by code vm names, through a getter, as node's mock timers only once its name is checked",
    "let reads = 0;\nconst options = { get filename() { return reads++ === 0 ? 'x.js' : 'node:internal/test_runner/mock/mock_timers'; } };\nrequire('node:vm').runInThisContext('globalThis.setInterval = () => {};', options);",
    'const t = setInterval(() => { clearInterval(t); CHECK(); }, 5)',
  ],
  [
    'setTimeout replaced by code named as a test file relative to where the process later moves',
    "process.chdir('/tmp');\nconst replace = require('node:vm').runInThisContext('(() => { globalThis.setTimeout = () => {}; })', { filename: 'test/sum.test.js' });\nprocess.chdir('/workspace');\nreplace();",
    'setTimeout(CHECK, 10)',
  ],
];

/** Code under test that breaks what an async test waits on, past the timers: an emitter's events, a child process. */
const BREAKING_WHAT_IS_AWAITED: [string, string][] = [
  ["EventEmitter.prototype.emit dropping 'close'", "const { EventEmitter } = require('node:events');\nconst emit = EventEmitter.prototype.emit;\nEventEmitter.prototype.emit = function (event, ...rest) {\n  return event === 'close' ? false : emit.call(this, event, ...rest);\n};"],
  ['ChildProcess.prototype.spawn spawning nothing', "require('node:child_process').ChildProcess.prototype.spawn = function () {};"],
];
const AWAITING_A_CHILD =
  "const assert = require('node:assert');\nconst { once } = require('node:events');\nconst { spawn } = require('node:child_process');\nconst { sum } = require('../src/sum');\n(async () => {\n  await once(spawn(process.execPath, ['-e', '0']), 'close');\n  assert.equal(sum([1, 2]), 3);\n})();\n";

/** Runs `command` over `files` in a fresh workspace, with the guard or without it. */
async function run(files: Files, command: string, options: SandboxOptions = {}) {
  const workspace = await Workspace.create('guard');
  try {
    await workspace.restore(Object.entries(files).map(([path, content]) => ({ path, content })));
    return await runSandboxedCommand(command, workspace.root, { wallTimeMs: 20_000, ...options });
  } finally {
    await workspace.dispose();
  }
}

/**
 * Wrong code that makes its tests' command exit 0. Each is run without the guard first, to show the
 * attack works there, then with it.
 */
const ATTACKS: { name: string; files: Files; command: string; options?: SandboxOptions }[] = [
  {
    name: 'a node --test child that prints a passing summary and exits through eval before its tests run',
    files: { 'src/sum.js': `console.log('# pass 2\\n# fail 0');\neval('process.' + 'exit(0)');\n${WRONG_SUM}`, 'test/sum.test.js': NODE_TEST },
    command: 'node --test test/',
  },
  {
    name: 'a failing status the test script set, lowered in a promise reaction',
    files: {
      'src/sum.js': `Promise.resolve().then(() => { process['exit' + 'Code'] = 0; });\n${WRONG_SUM}`,
      'test/sum.test.js': "const { sum } = require('../src/sum');\nif (sum([1, 2]) !== 3) { console.log('FAIL sum'); process.exitCode = 1; }\n",
    },
    command: 'node test/sum.test.js',
  },
  {
    name: 'a signal to itself whose handler exits 0 while an async test is pending',
    files: {
      'src/sum.js': `process.on('SIGTERM', () => process.exit(0));\nprocess.kill(process.pid, 'SIGTERM');\nmodule.exports = { sum: () => new Promise((r) => setTimeout(() => r(0), 100)) };\n`,
      'test/sum.test.js': "const assert = require('assert');\n(async () => { assert.equal(await require('../src/sum').sum([1, 2]), 3); })();\nsetTimeout(() => {}, 200);\n",
    },
    command: 'node test/sum.test.js',
  },
  {
    name: "an assert put in require.cache under the builtin's name",
    files: {
      'src/sum.js': `require.cache.assert = { id: 'assert', filename: 'assert', loaded: true, exports: { equal() {} } };\n${WRONG_SUM}`,
      'test/sum.test.js': "const { sum } = require('../src/sum');\nconst assert = require('assert');\nassert.equal(sum([1, 2]), 3);\n",
    },
    command: 'node test/sum.test.js',
  },
  standingInForALaterTest('a stand-in for a test file loaded after the code, put in require.cache under its path', [
    'const put = (table, key, value) => Reflect.set(table, key, value);',
    'put(require.cache, later, { id: later, filename: later, loaded: true, exports: {}, children: [], paths: [] });',
  ]),
  standingInForALaterTest('an unloaded module of its own making, standing in for a later test file as a module still loading', [
    'const stand = new module.constructor(later, module);',
    'stand.filename = later;',
    'Reflect.set(require.cache, later, stand);',
  ]),
  standingInForALaterTest("a stand-in for a later test file that carries node's own mark of a module the ES module loader made, copied from its own module", [
    "const mark = Object.getOwnPropertySymbols(module).find((s) => s.description === 'kIsCachedByESMLoader');",
    'const stand = new module.constructor(later, module);',
    'Object.assign(stand, { filename: later, loaded: true, [mark]: true });',
    'Reflect.set(require.cache, later, stand);',
  ]),
  ...DROPPING_TIMERS.map(([what, code, schedule]) => ({
    name: `${what}, so a callback's assertion never runs`,
    files: { 'src/sum.js': `${code}\n${WRONG_SUM}`, 'test/sum.test.js': CALLBACK_TEST(schedule) },
    command: 'node test/sum.test.js',
    options: { readOnlyPaths: ['test'] },
  })),
  ...BREAKING_WHAT_IS_AWAITED.map(([what, code]) => ({
    name: `${what}, so an async test awaiting a child's exit never gets to its assertion`,
    files: { 'src/sum.js': `${code}\n${WRONG_SUM}`, 'test/sum.test.js': AWAITING_A_CHILD },
    command: 'node test/sum.test.js',
    options: { readOnlyPaths: ['test'] },
  })),
  {
    name: 'a module wrapper that rewrites the test files loaded after the code',
    files: {
      'src/sum.js': `const Module = require('module');\nconst wrap = Module.wrap;\nModule.wrap = (source) => wrap(source.replace(/assert\\./g, '(() => {}) || assert.'));\n${WRONG_SUM}`,
      'test/all.js': "require('../src/sum');\nrequire('./sum.test');\n",
      'test/sum.test.js': "const assert = require('assert');\nassert.equal(require('../src/sum').sum([1, 2]), 3);\n",
    },
    command: 'node test/all.js',
  },
  {
    name: "WASI's proc_exit(0), which ends the process in native code, called as the code is loaded",
    files: {
      'src/sum.js': `${WASI_EXIT_0('require')}${WRONG_SUM}`,
      'test/sum.test.js': "const assert = require('node:assert/strict');\nassert.equal(require('../src/sum').sum([1, 2]), 3);\n",
    },
    command: 'node --no-warnings test/sum.test.js',
    options: ROOMY,
  },
  {
    name: "WASI's proc_exit(0) in an ES module the test file imports",
    files: {
      'src/sum.mjs': `${WASI_EXIT_0('import')}export const sum = () => 0;\n`,
      'test/sum.test.mjs': "import assert from 'node:assert/strict';\nimport { sum } from '../src/sum.mjs';\nassert.equal(sum([1, 2]), 3);\n",
    },
    command: 'node --no-warnings test/sum.test.mjs',
    options: ROOMY,
  },
  {
    name: "npm's own inspector, opened with SIGUSR1, told to end npm with status 0 while the tests fail",
    files: {
      'package.json': '{ "name": "s", "version": "1.0.0", "scripts": { "test": "node test/sum.test.js" } }\n',
      'src/sum.js': `${NPM_INSPECTED_TO_EXIT_0}${WRONG_SUM}`,
      'test/sum.test.js': "const assert = require('assert');\nconst { sum } = require('../src/sum');\nsetTimeout(() => assert.equal(sum([1, 2]), 3), 5000);\n",
    },
    command: 'npm test',
    options: ROOMY,
  },
  {
    name: 'an explicit exit under npm test',
    files: {
      'package.json': '{ "name": "s", "version": "1.0.0", "scripts": { "test": "node test/sum.test.js" } }\n',
      'src/sum.js': `globalThis['pro' + 'cess'].exit(0);\n${WRONG_SUM}`,
      'test/sum.test.js': "const assert = require('assert');\nassert.equal(require('../src/sum').sum([1, 2]), 3);\n",
    },
    command: 'npm test',
  },
  {
    name: 'a runner script whose test-file children print a passing summary and exit 0 early through eval',
    files: {
      'src/sum.js': `console.log('# pass 2\\n# fail 0');\neval('process.' + 'exit(0)');\n${WRONG_SUM}`,
      ...RUNNER_OVER(['test/a.test.js', 'src/sum.spec.js', 'lib/__tests__/sum.js']),
      'test/a.test.js': SPAWNED_TEST('../src/sum'),
      'src/sum.spec.js': SPAWNED_TEST('./sum'),
      'lib/__tests__/sum.js': SPAWNED_TEST('../../src/sum'),
    },
    command: 'node scripts/run-tests.js',
  },
  {
    name: 'a node --test child, its file named as no test, that exits 0 early through eval',
    files: { 'src/sum.js': `eval('process.' + 'exit(0)');\n${WRONG_SUM}`, 'checks/sum.js': NODE_TEST },
    command: 'node --test checks/sum.js',
  },
  ...RESPAWNS.map(([how, options]) => ({
    name: `a runner's test-file child that re-spawns its test file ${how}, exits 0 there early, and forwards that status`,
    files: {
      'src/sum.js': respawning(options),
      ...RUNNER_OVER(['test/a.test.js']),
      'test/a.test.js': SPAWNED_TEST('../src/sum'),
    },
    command: 'node scripts/run-tests.js',
  })),
];

describe('the test process guard, in a sandboxed run', () => {
  it.each(ATTACKS)('fails $name', async ({ files, command, options }) => {
    const unguarded = await run(files, command, options);
    expect(unguarded.exitCode).toBe(0);

    const guarded = await run(files, command, { ...options, guardNode: true });
    expect(guarded.isolation).toBe('bubblewrap');
    expect(guarded.exitCode).not.toBe(0);
    expect(guarded.exitCode).not.toBeNull();
  });

  it('says what it refused on a line a reader of the output alone sees as a failure', async () => {
    const result = await run({ 'test/t.js': "console.log('# pass 12\\n# fail 0');\nprocess.exit(0);\n" }, 'node test/t.js || true', { guardNode: true });
    expect(result.output).toMatch(/^FAILED \(test process guard\): process\.exit\(0\) ended the process with status 0 before it ended by itself$/m);
  });

  it('fails a guarded process sent SIGUSR1, and keeps its inspector closed', async () => {
    const files = {
      'test/t.js': "process.kill(process.pid, 'SIGUSR1');\nsetTimeout(() => console.log(`inspector at ${require('node:inspector').url()}`), 300);\n",
    };
    const result = await run(files, 'node test/t.js', { ...ROOMY, guardNode: true });
    expect(result.output).toContain('inspector at undefined');
    expect(result.output).toMatch(/^FAILED \(test process guard\): a SIGUSR1 was sent to open the inspector$/m);
    expect(result.exitCode).toBe(70);
  });

  it("leaves alone a fake clock the tests bring, from among the files the run cannot write, and node:test's mock timers", async () => {
    const files = {
      'src/later.js': 'module.exports = { later: (f, ms) => setTimeout(f, ms), soon: (f) => setImmediate(f) };\n',
      'test/helpers/clock.js': [
        'const real = { setTimeout: globalThis.setTimeout, setImmediate: globalThis.setImmediate };',
        'const due = [];',
        'exports.install = () => {',
        '  globalThis.setTimeout = (f) => due.push(f);',
        '  globalThis.setImmediate = (f) => due.push(f);',
        '};',
        'exports.runAll = () => due.splice(0).forEach((f) => f());',
        'exports.uninstall = () => Object.assign(globalThis, real);',
        '',
      ].join('\n'),
      'test/later.test.js': [
        "const assert = require('node:assert');",
        "const clock = require('./helpers/clock');",
        "const { later, soon } = require('../src/later');",
        'clock.install();',
        'let n = 0;',
        'later(() => n++, 1000);',
        'soon(() => n++);',
        'clock.runAll();',
        'clock.uninstall();',
        'assert.equal(n, 2);',
        "later(() => console.log('a real timer fired'), 1);",
        '',
      ].join('\n'),
      'test/mocked.test.js': [
        "const { test } = require('node:test');",
        "const assert = require('node:assert');",
        "const { later, soon } = require('../src/later');",
        "test('ticks', (t) => { t.mock.timers.enable({ apis: ['setInterval', 'setImmediate', 'setTimeout'] }); let n = 0; later(() => n++, 50); soon(() => n++); t.mock.timers.tick(50); assert.equal(n, 2); t.mock.timers.reset(); });",
        '',
      ].join('\n'),
    };
    const plain = await run(files, 'node test/later.test.js', { guardNode: true, readOnlyPaths: ['test'] });
    expect(plain.output).toContain('a real timer fired');
    expect(plain).toMatchObject({ exitCode: 0, isolation: 'bubblewrap' });
    // The same clock where the run may write it reads as code under test.
    const writable = await run(files, 'node test/later.test.js', { guardNode: true });
    expect(writable.output).toMatch(/^FAILED \(test process guard\): globalThis\.setTimeout was replaced by \/workspace\/test\/helpers\/clock\.js/m);
    expect(writable.exitCode).toBe(70);
    const mocked = await run(files, 'node --test test/mocked.test.js', { guardNode: true, readOnlyPaths: ['test'] });
    expect(mocked.output).toMatch(/^# pass 1$/m);
    expect(mocked.exitCode).toBe(0);
  });

  it('leaves alone a test script whose async work all finishes, beside code under test that keeps a promise of its own pending', async () => {
    const files = {
      'src/sum.js': "const ready = new Promise(() => {});\nmodule.exports = { sum: (xs) => xs.reduce((a, b) => a + b, 0), ready };\n",
      'test/sum.test.js': [
        AWAITING_A_CHILD.replace("await once(spawn(process.execPath, ['-e', '0']), 'close');", "await once(spawn(process.execPath, ['-e', '0']), 'close');\n  await new Promise((resolve) => setTimeout(resolve, 5));"),
        "Promise.resolve(1).then((n) => assert.equal(n, 1)).catch(() => process.exit(1));",
        '',
      ].join('\n'),
    };
    const result = await run(files, 'node test/sum.test.js', { guardNode: true, readOnlyPaths: ['test'] });
    expect(result).toMatchObject({ exitCode: 0, isolation: 'bubblewrap' });
    expect(result.output).toBe('');
  });

  it('leaves alone a mock the tests put in require.cache, for code under test and for a module the run cannot write', async () => {
    const files = {
      'lib/db.js': "module.exports = { query: () => { throw new Error('no database here'); } };\n",
      'src/rates.js': "module.exports = { rate: () => { throw new Error('no network here'); } };\n",
      'src/total.js': "const db = require('../lib/db');\nconst { rate } = require('./rates');\nmodule.exports = { total: () => db.query().reduce((a, b) => a + b, 0) * rate() };\n",
      'test/total.test.js': [
        "const assert = require('node:assert');",
        "const path = require('node:path');",
        "const stub = (file, exports) => { const at = path.join(__dirname, file); require.cache[at] = { id: at, filename: at, loaded: true, exports }; };",
        "stub('../lib/db.js', { query: () => [1, 2] });",
        "stub('../src/rates.js', { rate: () => 2 });",
        "assert.equal(require('../src/total').total(), 6);",
        '',
      ].join('\n'),
    };
    const result = await run(files, 'node test/total.test.js', { guardNode: true, readOnlyPaths: ['test', 'lib'] });
    expect(result).toMatchObject({ exitCode: 0, isolation: 'bubblewrap' });
  });

  it('leaves alone a program that handles SIGUSR1 itself, and its test that sends it', async () => {
    const files = {
      'src/logs.js': "let reopened = 0;\nprocess.on('SIGUSR1', () => reopened++);\nmodule.exports = { reopened: () => reopened };\n",
      'test/logs.test.js': "const assert = require('node:assert');\nconst logs = require('../src/logs');\nprocess.kill(process.pid, 'SIGUSR1');\nsetTimeout(() => assert.equal(logs.reopened(), 1), 100);\n",
    };
    const result = await run(files, 'node test/logs.test.js', { ...ROOMY, guardNode: true, readOnlyPaths: ['test'] });
    expect(result).toMatchObject({ exitCode: 0, output: '' });
  });

  it('guards an unsandboxed run the same way, where the operator allows one', async () => {
    const files = { 'src/sum.js': `eval('process.exit(0)');\n${WRONG_SUM}`, 'test/sum.test.js': NODE_TEST };
    const result = await run(files, 'node test/sum.test.js', { guardNode: true, allowUnsafe: true, bwrapPath: '/nonexistent/bwrap' });
    expect(result).toMatchObject({ isolation: 'none', exitCode: 70 });
  });

  it('leaves honest suites alone: node --test over CommonJS and ES modules (one importing the other, then requiring it) with mocks of its own objects, of time and of randomness, npm test, a CLI run as a child, an error subclass', async () => {
    const files: Files = {
      'package.json': '{ "name": "s", "version": "1.0.0", "scripts": { "test": "node --test test/" } }\n',
      'src/sum.js': [
        "class SumError extends Error { constructor(m) { super(m); this.name = 'SumError'; } }",
        'function sum(xs) { if (!Array.isArray(xs)) throw new SumError("not an array"); return xs.reduce((a, b) => a + b, 0); }',
        'if (require.main === module) { console.log(sum(process.argv.slice(2).map(Number))); process.exitCode = 0; }',
        'module.exports = { sum, SumError };',
      ].join('\n'),
      'test/sum.test.js': NODE_TEST,
      'test/esm.test.mjs': [
        "import test from 'node:test';",
        "import assert from 'node:assert/strict';",
        "import fs, { readFileSync } from 'node:fs';",
        "test('imports the frozen modules', () => { assert.equal(readFileSync(new URL(import.meta.url), 'utf8'), fs.readFileSync(new URL(import.meta.url), 'utf8')); });",
        '',
      ].join('\n'),
      'src/twice.js': "const { sum } = require('./sum');\nconst totals = require('../test/fixtures/totals.json');\nmodule.exports = { twice: (xs) => 2 * sum(xs), totals };\n",
      'test/fixtures/totals.json': '{ "three": 3 }\n',
      'test/mixed.test.mjs': [
        "import test from 'node:test';",
        "import assert from 'node:assert/strict';",
        "import { createRequire } from 'node:module';",
        "import sumModule from '../src/sum.js';",
        "import totals from './fixtures/totals.json' with { type: 'json' };",
        'const require = createRequire(import.meta.url);',
        "test('imports CommonJS and JSON, then requires them again', () => {",
        "  const { twice, totals: again } = require('../src/twice.js');",
        "  assert.deepEqual([sumModule.sum([1, 2]), twice([1, 2]), require('../src/sum.js').sum([4])], [totals.three, 6, 4]);",
        '  assert.deepEqual(again, totals);',
        '});',
        '',
      ].join('\n'),
      'test/more.test.js': [
        "const { test, mock } = require('node:test');",
        "const assert = require('node:assert/strict');",
        "const { execFileSync } = require('node:child_process');",
        "const { sum, SumError } = require('../src/sum');",
        "test('names its errors', () => { assert.throws(() => sum('x'), { name: 'SumError' }); assert.ok(new SumError('m') instanceof Error); });",
        "test('mocks an object of its own', () => { const o = { f: () => 1 }; mock.method(o, 'f', () => 2); assert.equal(o.f(), 2); });",
        "test('runs the CLI', () => { assert.equal(execFileSync(process.execPath, ['src/sum.js', '1', '2'], { encoding: 'utf8' }).trim(), '3'); });",
        "test('awaits', async () => { for (let i = 0; i < 100; i++) await null; assert.deepEqual(JSON.parse('[1,2]'), [1, 2]); });",
        "test('mocks time and randomness', (t) => { t.mock.method(Math, 'random', () => 0.25); t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 5 }); let n = 0; setTimeout(() => n++, 1000); t.mock.timers.tick(1000); assert.deepEqual([n, Date.now(), Math.random()], [1, 1005, 0.25]); });",
        '',
      ].join('\n'),
    };
    const result = await run(files, 'npm test', { guardNode: true });
    expect(result.output).toMatch(/^# pass 9$/m);
    expect(result).toMatchObject({ exitCode: 0, isolation: 'bubblewrap' });
  });

  it.each([
    ['a plain test file', 'node test/cli.test.js'],
    ['node --test', 'node --test test/'],
    ['npm test', 'npm test'],
    ['a runner script over the test files', 'node scripts/run-tests.js'],
  ])('leaves alone CLI children that exit 0 themselves, spawned by tests run as %s', async (_name, command) => {
    const files: Files = {
      'package.json': '{ "name": "s", "version": "1.0.0", "bin": { "sum": "bin/cli.js" }, "scripts": { "test": "node test/cli.test.js" } }\n',
      ...RUNNER_OVER(['test/cli.test.js']),
      'bin/cli.js': [
        '#!/usr/bin/env node',
        "const { parse } = require('../src/args');",
        'async function main(argv) { const options = parse(argv, { name: "sum", version: "1.2.3" }); console.log(options.numbers.reduce((a, b) => a + b, 0)); }',
        'main(process.argv.slice(2)).then(() => process.exit(0), (error) => { console.error(error.message); process.exit(1); });',
      ].join('\n'),
      // A commander-like parser: --help and --version print and exit 0, as commander and yargs do.
      'src/args.js': [
        'function parse(argv, { name, version }) {',
        "  if (argv.includes('--help')) { console.log(`Usage: ${name} [numbers...]`); process.exit(0); }",
        "  if (argv.includes('--version')) { console.log(version); process.exit(); }",
        '  return { numbers: argv.map(Number) };',
        '}',
        'module.exports = { parse };',
      ].join('\n'),
      'test/cli.test.js': [
        "const assert = require('node:assert/strict');",
        "const { spawnSync } = require('node:child_process');",
        "const cli = (...args) => spawnSync(process.execPath, ['bin/cli.js', ...args], { encoding: 'utf8' });",
        "for (const [args, out] of [[['1', '2'], '3'], [['--help'], 'Usage: sum [numbers...]'], [['--version'], '1.2.3']]) {",
        '  const run = cli(...args);',
        '  assert.deepEqual({ status: run.status, out: run.stdout.trim(), err: run.stderr }, { status: 0, out, err: "" });',
        '}',
        "console.log('cli: all assertions hold');",
      ].join('\n'),
    };
    const result = await run(files, command, { guardNode: true });
    expect({ exitCode: result.exitCode, output: result.output }).toEqual({ exitCode: 0, output: expect.stringContaining('cli: all assertions hold') });
    expect(result.output).not.toContain('test process guard');
  });

  it('keeps the tests a later test process loads from being rewritten, where they are mounted read-only', async () => {
    const testOf = (name: string, total: number) =>
      `const test = require('node:test');\nconst assert = require('node:assert');\nconst { sum } = require('../src/sum');\ntest('${name}', () => assert.equal(sum([${total - 1}, 1]), ${total}));\n`;
    const files = {
      'src/sum.js': "try { require('fs').writeFileSync(__dirname + '/../test/b.test.js', \"require('node:test')('b', () => {});\\n\"); } catch {}\nmodule.exports = { sum: () => 3 };\n",
      'test/a.test.js': testOf('a', 3),
      'test/b.test.js': testOf('b', 4),
    };
    const command = 'node --test --test-concurrency=1 test/';
    expect((await run(files, command, { guardNode: true })).exitCode).toBe(0);
    const mounted = await run(files, command, { guardNode: true, readOnlyPaths: ['test', 'missing/file.js'] });
    expect(mounted.exitCode).not.toBe(0);
    expect(mounted.output).toMatch(/^# fail 1$/m);
    await expect(run(files, command, { readOnlyPaths: ['../outside'] })).rejects.toThrow(/contains "\.\."/);
  });
});
