'use strict';
/*
 * Loaded with `--require` (NODE_OPTIONS) into every node process of a guarded sandbox run, before
 * any code of the workspace. The status of the test process is the grader's verdict, and the code
 * under test runs inside that process, so the guard takes from it every way to decide the status
 * other than by running honestly:
 *  - where the status is a verdict (the outermost guarded process of the command, a process
 *    `node --test` started, a process whose main module is a test file), a success status stands
 *    only when the process ends by itself: an explicit exit with status 0 (process.exit,
 *    process.reallyExit, by whatever name), an exit status lowered after a failure set it, or an
 *    uncaught exception or unhandled rejection a handler swallowed, fail the process; any other
 *    child (a CLI a test runs) keeps its status, which the test observes and asserts on;
 *  - the exports of the built-in modules tests lean on are frozen, so no alias can rewrite them;
 *  - a write to an intrinsic (Object, Array, JSON, ... and their prototypes) is recorded as it
 *    happens and their properties are compared at exit; they are not frozen: a frozen prototype
 *    breaks honest code (`this.name = ...` in an Error subclass);
 *  - the module loader's hooks, the in-process inspector, native bindings and WASI are closed.
 * The last three hold in every process, children included: a child's tampering reaches no other
 * process, but a child may be a test process the verdict rule does not recognise (a runner script
 * spawning a test runner's CLI), whose assertions they keep.
 * A failure ends the process with GUARD_STATUS and a line on stderr that starts with FAILED, so a
 * reader of the output alone sees it too. System programs (npm, npx under /usr) and worker threads
 * are left alone.
 * Dependency-free, and it holds its own references to everything it calls: the code under test
 * can replace the globals, not what the guard took before it ran.
 */
(function guardTestProcess() {
  // A worker's exit ends the worker, whose status the process's own does not take. (Its chdir is
  // this stub; worker_threads itself costs a third of the guard's start.)
  if (typeof process.chdir === 'function' && process.chdir.name === 'unavailableInWorker') return;
  /*
   * SIGUSR1 opens a node process's inspector, which reaches every closure and runs any code there,
   * and any process of the command may send it to any other: to a system program too, such as npm,
   * whose status is the verdict of `npm test`. A listener of its own keeps the signal from opening
   * it (node's handler gives way to it); in a guarded process the signal also fails the process.
   */
  const main = process.argv[1];
  if (typeof main === 'string' && /^\/(?:usr|bin|sbin|lib)\//.test(main)) {
    process.on('SIGUSR1', function inspectorKeptClosed() {});
    return;
  }

  const GUARD_STATUS = 70;
  /*
   * Whose status is a verdict: the outermost guarded process of the command, a process `node --test`
   * started, and a process whose main module is a test file (a runner script's children). Another
   * child's status is observed and asserted on by the process that spawned it, so exiting 0 early
   * there gains nothing that exiting 0 by running to its end does not: the exit rules spare it
   * (honest CLIs exit 0 themselves after --help and after main). The guard tells its descendants
   * through PARENT; only the exact value it sets for them spares a child, so removing or forging the
   * marker makes a process stricter, never lenient, and the code under test can set it only for the
   * children it spawns itself, whose status reaches a verdict only through its own explicit exit.
   */
  const PARENT = 'LOOPWRIGHT_GUARDED_PARENT';
  const SPARING_PARENT = 'node';
  const runsTests = process.execArgv.indexOf('--test') >= 0;
  const testFile = typeof main === 'string' && (/(?:^|\/)(?:test|tests|spec|__tests__|e2e)\//.test(main) || /[^/]\.(?:test|spec)\.[^/]+$/.test(main));
  const statusIsAVerdict = process.env[PARENT] !== SPARING_PARENT || runsTests || testFile;
  process.env[PARENT] = runsTests ? 'node --test' : SPARING_PARENT;
  const { apply, construct, deleteProperty, ownKeys, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
  const { defineProperty, freeze, is, preventExtensions } = Object;
  const StringOf = String;
  const NumberOf = Number;
  const fs = require('node:fs');
  const writeSync = fs.writeSync;
  const realExit = process.exit;
  const realReallyExit = process.reallyExit;
  const realEmit = process.emit;

  const reasons = [];
  const fail = (reason) => {
    for (let i = 0; i < reasons.length; i++) if (reasons[i] === reason) return;
    if (reasons.length < 12) reasons[reasons.length] = reason;
  };
  let raisedStatus = 0;
  let swallowed = '';
  let explicitExit = '';
  let reported = false;
  // Set where the main module is loaded: what of the test files' async work is left when the process ends.
  let unfinishedWork = () => '';

  /** A failing status once seen stands: lowering it later is how code hides failed tests. */
  function noteStatus() {
    if (!statusIsAVerdict) return;
    const code = process.exitCode;
    if (code === undefined || code === null || code == 0) return;
    if (raisedStatus === 0) raisedStatus = NumberOf(code) || GUARD_STATUS;
  }
  // Seen before every callback (timers, I/O, promise reactions) and every process event.
  if (statusIsAVerdict) require('node:async_hooks').createHook({ before: noteStatus }).enable();

  /*
   * Intrinsics. Each writable data property becomes a fixed accessor: a write to the intrinsic itself
   * is recorded (a forgery restored before exit is still a forgery), a write through an object that
   * inherits it defines that object's own property, as assignment does, so honest code that shadows
   * a prototype's property (`this.name = ...`) keeps working. The other properties are made
   * non-configurable and the intrinsics non-extensible: nothing is added, replaced or deleted
   * unseen. Their descriptors are compared at exit as well.
   */
  const GLOBAL_NAMES = [
    'Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Math', 'JSON', 'Reflect', 'Promise', 'Proxy',
    'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError',
    'Map', 'Set', 'WeakMap', 'WeakSet', 'RegExp', 'Date', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics', 'Intl',
    'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array',
    'BigInt64Array', 'BigUint64Array', 'Buffer', 'isNaN', 'isFinite', 'parseInt', 'parseFloat', 'encodeURIComponent', 'decodeURIComponent',
  ];
  // Legitimately tuned by honest tools (source-map-support, test runners).
  const unwatched = (label, key) => label === 'Error' && (key === 'stackTraceLimit' || key === 'prepareStackTrace');
  // What honest tests mock, and restore, for determinism (node:test's mock.method, mock.timers): compared at exit only.
  const mockable = (label, key) => (label === 'globalThis' && key === 'Date') || (label === 'Math' && key === 'random') || label === 'Date' || label === 'Date.prototype';
  const watched = [];
  const trap = (label, target, key) => {
    const descriptor = getOwnPropertyDescriptor(target, key);
    // V8's fast paths for iteration, species and promises hold only while these keep their first
    // shape (map, filter and spread run 4 to 9 times slower without them): compared at exit only.
    if (!descriptor.configurable || mockable(label, key) || typeof key === 'symbol' || key === 'constructor' || key === 'next') return;
    if (!('value' in descriptor) || !descriptor.writable) {
      defineProperty(target, key, { configurable: false });
      return;
    }
    let value = descriptor.value;
    defineProperty(target, key, {
      get() {
        return value;
      },
      set(next) {
        if (this === target) {
          fail(`${label}[${StringOf(key)}] was assigned`);
          value = next;
        } else if ((typeof this === 'object' && this !== null) || typeof this === 'function') {
          defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
        }
      },
      enumerable: descriptor.enumerable,
      configurable: false,
    });
  };
  const watch = (label, target) => {
    if ((typeof target !== 'object' && typeof target !== 'function') || target === null) return;
    const own = ownKeys(target);
    for (let i = 0; i < own.length; i++) if (!unwatched(label, own[i])) trap(label, target, own[i]);
    // Honest tools add Error.prepareStackTrace; mock timers copy Date's statics onto their own.
    if (label !== 'Error' && label !== 'Date' && label !== 'Date.prototype') preventExtensions(target);
    const keys = ownKeys(target);
    const descriptors = [];
    for (let i = 0; i < keys.length; i++) descriptors[i] = getOwnPropertyDescriptor(target, keys[i]);
    watched[watched.length] = { label, target, keys, descriptors };
  };
  const globalDescriptors = [];
  for (let i = 0; i < GLOBAL_NAMES.length; i++) {
    const name = GLOBAL_NAMES[i];
    if (getOwnPropertyDescriptor(globalThis, name) !== undefined) trap('globalThis', globalThis, name);
    globalDescriptors[i] = getOwnPropertyDescriptor(globalThis, name);
    const value = globalThis[name];
    watch(name, value);
    if (typeof value === 'function' && value.prototype) watch(`${name}.prototype`, value.prototype);
  }
  const typedArray = getPrototypeOf(Uint8Array);
  watch('TypedArray', typedArray);
  watch('TypedArray.prototype', typedArray.prototype);
  const arrayIterator = getPrototypeOf([][Symbol.iterator]());
  watch('ArrayIterator.prototype', arrayIterator);
  watch('Iterator.prototype', getPrototypeOf(arrayIterator));
  watch('StringIterator.prototype', getPrototypeOf(''[Symbol.iterator]()));
  watch('MapIterator.prototype', getPrototypeOf(new Map().entries()));
  watch('SetIterator.prototype', getPrototypeOf(new Set().values()));
  watch('RegExpStringIterator.prototype', getPrototypeOf(/a/g[Symbol.matchAll]('')));

  const sameDescriptor = (a, b) =>
    a !== undefined && b !== undefined && is(a.value, b.value) && a.get === b.get && a.set === b.set &&
    a.writable === b.writable && a.enumerable === b.enumerable && a.configurable === b.configurable;

  function checkIntrinsics() {
    for (let i = 0; i < GLOBAL_NAMES.length; i++) {
      const before = globalDescriptors[i];
      const now = getOwnPropertyDescriptor(globalThis, GLOBAL_NAMES[i]);
      if (before !== undefined && !sameDescriptor(before, now)) fail(`the global ${GLOBAL_NAMES[i]} was replaced`);
    }
    for (let w = 0; w < watched.length; w++) {
      const { label, target, keys, descriptors } = watched[w];
      const now = ownKeys(target);
      let seen = 0;
      for (let i = 0; i < now.length; i++) {
        const key = now[i];
        if (unwatched(label, key)) continue;
        let at = -1;
        for (let k = 0; k < keys.length; k++) if (keys[k] === key) at = k;
        if (at < 0) {
          fail(`${label}[${StringOf(key)}] was added`);
          continue;
        }
        seen++;
        if (!sameDescriptor(descriptors[at], getOwnPropertyDescriptor(target, key))) fail(`${label}[${StringOf(key)}] was changed`);
      }
      let expected = 0;
      for (let k = 0; k < keys.length; k++) if (!unwatched(label, keys[k])) expected++;
      if (seen !== expected) fail(`a property of ${label} was deleted`);
    }
  }

  /** The status the process ends with: `status` unless tampering or an earlier failure overrules it. */
  function verdict(status) {
    noteStatus();
    try {
      checkIntrinsics();
    } catch (error) {
      fail(`the intrinsics could not be checked (${StringOf(error && error.message)})`);
    }
    if (status === 0 && raisedStatus === 0 && swallowed) fail(swallowed);
    if (status === 0 && raisedStatus !== 0) fail(`the failing exit status ${raisedStatus} was lowered to 0`);
    if (status === 0 && raisedStatus === 0) {
      const unfinished = unfinishedWork();
      if (unfinished) fail(unfinished);
    }
    if (reasons.length > 0) {
      if (!reported) {
        reported = true;
        try {
          let text = reasons[0];
          for (let i = 1; i < reasons.length; i++) text += `; ${reasons[i]}`;
          writeSync(2, `\nFAILED (test process guard): ${text}\n`);
        } catch {
          // stderr closed by the code under test: the status still says it.
        }
      }
      return GUARD_STATUS;
    }
    return raisedStatus !== 0 ? raisedStatus : status;
  }

  // A lazy export (an accessor with a setter) redefines itself on first read: read each once, so
  // freezing leaves it its value.
  const settled = (exports) => {
    const keys = ownKeys(exports);
    for (let i = 0; i < keys.length; i++) {
      const descriptor = getOwnPropertyDescriptor(exports, keys[i]);
      if (descriptor.get === undefined || descriptor.set === undefined) continue;
      try {
        exports[keys[i]];
      } catch {
        // An export that throws on read stays an accessor.
      }
    }
    return exports;
  };

  const locked = (value) => ({ value, writable: false, enumerable: true, configurable: false });
  const refuse = (name) => locked(function refused() {
    throw new Error(`${name} is not available to code under test`);
  });

  defineProperty(process, 'exit', locked(function exit(code) {
    noteStatus();
    if (!explicitExit) explicitExit = `process.exit(${arguments.length === 0 ? '' : StringOf(code)})`;
    return apply(realExit, process, arguments);
  }));
  defineProperty(process, 'reallyExit', locked(function reallyExit(code) {
    noteStatus();
    const status = NumberOf(code) || 0;
    if (statusIsAVerdict && status === 0 && raisedStatus === 0) fail(`${explicitExit || 'process.reallyExit(0)'} ended the process with status 0 before it ended by itself`);
    apply(realReallyExit, process, [verdict(status)]);
  }));
  defineProperty(process, 'emit', locked(function emit(event) {
    noteStatus();
    if (statusIsAVerdict && (event === 'uncaughtExceptionMonitor' || event === 'unhandledRejection')) {
      const error = arguments[1];
      swallowed ||= `an ${event === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'} (${StringOf(error && error.message)}) was kept from failing the process`;
    }
    const handled = apply(realEmit, process, arguments);
    noteStatus();
    // After every exit listener, so none can lower the status this sets.
    if (event === 'exit') {
      const status = NumberOf(process.exitCode) || 0;
      const decided = verdict(status);
      if (decided !== status) process.exitCode = decided;
    }
    return handled;
  }));
  // Doors to native code that would reach the real exit, or load code the guard never sees.
  defineProperty(process, 'binding', refuse('process.binding'));
  defineProperty(process, '_linkedBinding', refuse('process._linkedBinding'));
  defineProperty(process, 'dlopen', refuse('process.dlopen'));
  // Where the program listens for SIGUSR1 itself (to reopen its logs), the signal opens nothing anyway.
  const { listenerCount } = require('node:events').prototype;
  process.on('SIGUSR1', function inspectorKeptClosed() {
    if (apply(listenerCount, process, ['SIGUSR1']) === 1) fail('a SIGUSR1 was sent to open the inspector');
  });
  // WASI's proc_exit ends the process in native code, past the exit rules above, and its native
  // methods can be called on any instance, so no instance is made. The module warns that it is
  // experimental as it loads: loading it here, that warning would be every guarded program's.
  const emitWarning = process.emitWarning;
  process.emitWarning = function quiet() {};
  let wasi;
  try {
    wasi = require('node:wasi');
  } finally {
    process.emitWarning = emitWarning;
  }
  defineProperty(wasi, 'WASI', refuse('WASI'));
  freeze(wasi);

  /*
   * Who wrote: the file of the code that called a setter, read from the stack with the guard's own
   * hold on V8's call sites. A builtin in between (Reflect.set, forEach) is passed over; code built
   * from a string (eval, Function) has no file of its own.
   */
  const { captureStackTrace } = Error;
  const { getFileName: siteFile, isEval: siteIsEval } = (() => {
    const holder = {};
    const prepare = getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    defineProperty(Error, 'prepareStackTrace', { value: (_, sites) => sites, writable: true, configurable: true });
    captureStackTrace(holder);
    const sites = holder.stack;
    if (prepare === undefined) deleteProperty(Error, 'prepareStackTrace');
    else defineProperty(Error, 'prepareStackTrace', prepare);
    return getPrototypeOf(sites[0]);
  })();
  /** The file of the first frame below `above` with one (passing node's own frames too, if asked). */
  function fileOnStack(above, passNode) {
    const prepare = getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    const limit = getOwnPropertyDescriptor(Error, 'stackTraceLimit');
    const holder = {};
    try {
      defineProperty(Error, 'prepareStackTrace', { value: (_, sites) => sites, writable: true, configurable: true });
      defineProperty(Error, 'stackTraceLimit', { value: 10, writable: true, configurable: true });
      captureStackTrace(holder, above);
      const sites = holder.stack;
      for (let i = 0; i < sites.length; i++) {
        if (apply(siteIsEval, sites[i], [])) return 'code built from a string';
        const file = apply(siteFile, sites[i], []);
        if (typeof file === 'string' && !(passNode && file.startsWith('node:'))) return file;
      }
      return 'code with no file';
    } catch {
      return 'code that kept the guard from reading the stack';
    } finally {
      try {
        if (prepare === undefined) deleteProperty(Error, 'prepareStackTrace');
        else defineProperty(Error, 'prepareStackTrace', prepare);
        if (limit === undefined) deleteProperty(Error, 'stackTraceLimit');
        else defineProperty(Error, 'stackTraceLimit', limit);
      } catch {
        fail('Error.prepareStackTrace or Error.stackTraceLimit was fixed in place');
      }
    }
  }
  const { accessSync, constants: fsConstants } = fs;
  const { fileURLToPath } = require('node:url');
  /**
   * A file the run may not write: the tests and what the role was given, mounted read-only. Named
   * absolutely: a relative name would be read against whatever the working directory is by then.
   */
  function readOnlyFile(file) {
    if (!file.startsWith('/') && !file.startsWith('file:')) return false;
    try {
      accessSync(file.startsWith('file:') ? fileURLToPath(file) : file, fsConstants.W_OK);
      return false;
    } catch (error) {
      const code = error && error.code;
      return code === 'EROFS' || code === 'EACCES' || code === 'EPERM';
    }
  }
  /** node's own code (its mock timers), or a file among the tests: who may replace what a test waits on. */
  const mayReplace = (writer) => writer.startsWith('node:') || readOnlyFile(writer);

  /*
   * What a test waits on: the timers, the tick, the microtask queue. Code under test that replaces
   * one can drop the callback a test waits for, so its assertions never run and the process ends by
   * itself with success. A test's own fakes may replace them (node:test's mock timers, a fake-timer
   * library among the files the run cannot write); any other writer fails the process. Each becomes
   * a fixed accessor, so no definition passes the setter. (Without a sandbox no file is read-only,
   * and a fake-timer library outside node fails the process too.)
   */
  const waitedOn = (label, target, key) => {
    // An inherited method (the scheduler's) becomes an own accessor too, or an own assignment would pass it by.
    const descriptor = getOwnPropertyDescriptor(target, key) || { value: target[key], enumerable: false, configurable: true };
    if (!descriptor.configurable || !('value' in descriptor) || typeof descriptor.value !== 'function') return;
    let value = descriptor.value;
    defineProperty(target, key, {
      get() {
        return value;
      },
      set: function replaceWaitedOn(next) {
        if (this !== target) {
          defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
          return;
        }
        const writer = fileOnStack(replaceWaitedOn, false);
        if (!mayReplace(writer)) fail(`${label}.${StringOf(key)} was replaced by ${writer}`);
        value = next;
      },
      enumerable: descriptor.enumerable,
      configurable: false,
    });
  };
  for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask']) waitedOn('globalThis', globalThis, name);
  waitedOn('process', process, 'nextTick');
  const timers = require('node:timers');
  for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate']) waitedOn('timers', timers, name);
  const timersPromises = require('node:timers/promises');
  for (const name of ['setTimeout', 'setInterval', 'setImmediate']) waitedOn('timers/promises', timersPromises, name);
  for (const name of ['wait', 'yield']) waitedOn('timers/promises.scheduler', timersPromises.scheduler, name);

  // An in-process inspector session reaches every closure, the guard's included.
  const inspector = require('node:inspector');
  for (const name of ['connect', 'connectToMainThread']) defineProperty(inspector.Session.prototype, name, refuse(`inspector.Session.${name}`));
  defineProperty(inspector, 'open', refuse('inspector.open'));

  // The module loader: a builtin name in require.cache, or a hook on compiling, would hand the tests other code.
  const Module = require('node:module');
  const cache = Module._cache;
  for (const name of Module.builtinModules) defineProperty(cache, name, { value: undefined, writable: false, enumerable: false, configurable: false });
  /*
   * Who put each entry in the cache, where it was not node's own loader: a test may put a mock
   * there (the mock then stands), code under test may not (see withoutStandIn). Every require
   * function made from now on, and node's loader, read the cache through this.
   */
  const putBy = new Map();
  const { set: reflectSet, defineProperty: reflectDefine } = Reflect;
  const { set: noteWriter, get: writerOf } = Map.prototype;
  const cacheSeen = new Proxy(cache, {
    set: function putInTheCache(target, key, value) {
      const writer = fileOnStack(putInTheCache, false);
      if (!writer.startsWith('node:')) apply(noteWriter, putBy, [key, writer]);
      return reflectSet(target, key, value);
    },
    defineProperty: function definedInTheCache(target, key, descriptor) {
      const writer = fileOnStack(definedInTheCache, false);
      if (!writer.startsWith('node:')) apply(noteWriter, putBy, [key, writer]);
      return reflectDefine(target, key, descriptor);
    },
  });
  defineProperty(Module, '_cache', locked(cacheSeen));
  for (const name of ['_resolveFilename', '_findPath', 'register']) defineProperty(Module, name, locked(Module[name]));
  /*
   * A module in the cache that the loader never loaded can stand in for a file a test loads later,
   * whose assertions then never run (an object, or a Module of the code's own making that reads as
   * loaded, or as one still loading). Such an entry is taken out before the file is required, so
   * the loader loads the file itself and its code runs. Left alone: what the loader loaded (the
   * cache as it was when the guard began counts), a mock a file the run cannot write (a test) put
   * there, and an entry the ES module loader made for a CommonJS file it imports, not yet loaded,
   * which the loader now loads for real. (An entry the ES module loader made and loaded is loaded
   * again when CommonJS code requires its file.)
   */
  const loadedByTheLoader = new WeakSet();
  const { add: remember, has: remembered } = WeakSet.prototype;
  const { getOwnPropertySymbols } = Object;
  const ownSymbol = (object, description) => {
    const symbols = getOwnPropertySymbols(object);
    for (let i = 0; i < symbols.length; i++) if (symbols[i].description === description) return symbols[i];
    return undefined;
  };
  const ownData = (object, key) => {
    const descriptor = key === undefined ? undefined : getOwnPropertyDescriptor(object, key);
    return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
  };
  // node's own mark, on every module its loader made (this one too): read from here, it cannot be forged.
  const madeByTheImportLoader = ownSymbol(module, 'kIsCachedByESMLoader');
  const importedAndNotYetLoaded = (entry) =>
    madeByTheImportLoader !== undefined && ownData(entry, madeByTheImportLoader) === true && ownData(entry, 'loaded') === false &&
    ownData(entry, ownSymbol(entry, 'kModuleCircularVisited')) === undefined;
  const cachedAtStart = ownKeys(cache);
  for (let i = 0; i < cachedAtStart.length; i++) {
    const entry = cache[cachedAtStart[i]];
    if (typeof entry === 'object' && entry !== null) apply(remember, loadedByTheLoader, [entry]);
  }
  const realLoadOfAModule = Module.prototype.load;
  const resolveFilename = Module._resolveFilename;
  const isBuiltin = Module.isBuiltin;
  function withoutStandIn(request, parent, isMain) {
    if (typeof request !== 'string' || isBuiltin(request)) return;
    let filename;
    try {
      filename = apply(resolveFilename, Module, [request, parent, isMain]);
    } catch {
      return; // The loader throws the same error.
    }
    const cached = cache[filename];
    if (cached === undefined) return;
    if ((typeof cached === 'object' || typeof cached === 'function') && cached !== null) {
      if (apply(remembered, loadedByTheLoader, [cached]) || importedAndNotYetLoaded(cached)) return;
    }
    const writer = apply(writerOf, putBy, [filename]);
    if (writer !== undefined && readOnlyFile(writer)) return; // a test's mock
    let removed = false;
    try {
      removed = deleteProperty(cache, filename);
    } finally {
      if (!removed) fail(`require.cache holds a module the loader never loaded, and keeps it, for ${filename}`);
    }
  }
  /*
   * A plain test script's async work: a promise the test files make while the main module runs its
   * top level (an async function they call, a chain they start), still pending when the process
   * ends by itself, is work whose assertions never ran. Code under test that breaks what a test
   * waits on (an emitter's events, a child process) ends the process early that way. (node --test
   * finds such tests itself, and an ES module's unsettled top-level await ends with status 13.)
   * The test files are the main module and the test files the run cannot write.
   */
  const { promiseHooks } = require('node:v8');
  const { inspect } = require('node:util');
  const madeByTheTests = [];
  const testFileVerdicts = new Map();
  let mainFile;
  const isTestFile = (file) => {
    if (file === mainFile) return true;
    let known = testFileVerdicts.get(file);
    if (known === undefined) {
      known = (/(?:^|\/)(?:test|tests|spec|__tests__|e2e)\//.test(file) || /[^/]\.(?:test|spec)\.[^/]+$/.test(file)) && readOnlyFile(file);
      testFileVerdicts.set(file, known);
    }
    return known;
  };
  function noteTheTestsPromise(promise) {
    if (isTestFile(fileOnStack(noteTheTestsPromise, true))) madeByTheTests[madeByTheTests.length] = promise;
  }
  function pendingTestPromises() {
    let pending = 0;
    for (let i = 0; i < madeByTheTests.length; i++) if (inspect(madeByTheTests[i], { customInspect: false, depth: 0 }).startsWith('Promise { <pending>')) pending++;
    return pending;
  }
  unfinishedWork = () => {
    if (test !== undefined || nodeTestLoaded) return ''; // node:test's harness fails a test left pending itself
    const pending = pendingTestPromises();
    return pending === 0 ? '' : `the test file's async work never finished: ${pending} of the promises it made as it ran were still pending when the process ended by itself`;
  };
  function runningTheMain(filename) {
    mainFile = filename;
    return promiseHooks.onInit(noteTheTestsPromise);
  }
  const load = Module._load;
  // node:test costs a tenth of the guard's start when loaded eagerly: a test runner's child loads it
  // anyway, anything else has it frozen as its first `require` returns it.
  // An ES module imports it past `_load`: an .mjs main has it frozen now.
  const eager = process.env.NODE_TEST_CONTEXT || process.execArgv.indexOf('--test') >= 0 || (typeof main === 'string' && main.endsWith('.mjs'));
  const test = eager ? freeze(settled(require('node:test'))) : undefined;
  defineProperty(Module, '_load', locked(function _load(request, parent, isMain) {
    withoutStandIn(request, parent, isMain);
    if (isMain !== true || !statusIsAVerdict || test !== undefined || mainFile !== undefined) return loaded(apply(load, this, arguments), request);
    const stop = runningTheMain(apply(resolveFilename, Module, [request, parent, isMain]));
    try {
      return loaded(apply(load, this, arguments), request);
    } finally {
      stop();
    }
  }));
  let nodeTestLoaded = false;
  function loaded(exports, request) {
    if (request === 'node:test') nodeTestLoaded = true;
    if (test === undefined && request === 'node:test') freeze(settled(exports));
    return exports;
  }
  defineProperty(Module.prototype, 'require', locked(Module.prototype.require));
  const loadingAs = new WeakMap();
  const { get: loadingFile, set: noteLoading } = WeakMap.prototype;
  defineProperty(Module.prototype, 'load', locked(function load(filename) {
    apply(remember, loadedByTheLoader, [this]);
    apply(noteLoading, loadingAs, [this, filename]);
    return apply(realLoadOfAModule, this, arguments);
  }));
  /*
   * Code compiled under another file's name speaks for that file on the stack (see fileOnStack): a
   * name of node's own, or of a file the run cannot write, is only for the file the loader is
   * loading, compiled once.
   */
  const compiledOnce = new WeakSet();
  const namedAsOthers = (filename) => typeof filename === 'string' && (filename.startsWith('node:') || readOnlyFile(filename));
  const wrap = Module.wrap;
  const wrapper = Module.wrapper;
  const compile = Module.prototype._compile;
  defineProperty(Module.prototype, '_compile', locked(function _compile(content, filename) {
    if (Module.wrap !== wrap || Module.wrapper !== wrapper) fail('Module.wrap was replaced, rewriting the modules loaded after it');
    const theLoaders = apply(loadingFile, loadingAs, [this]) === filename && !apply(remembered, compiledOnce, [this]);
    apply(remember, compiledOnce, [this]);
    if (!theLoaders && namedAsOthers(filename)) {
      fail(`code was compiled under the name of ${filename}`);
      throw new Error(`compiling code under the name of ${filename} is not available to code under test`);
    }
    return apply(compile, this, arguments);
  }));
  // The same for code vm compiles: a script's name is its filename option.
  const vm = require('node:vm');
  const { assign } = Object;
  /** The options as read once (a getter cannot name one file to the check and another to vm), checked. */
  const checkedOptions = (options) => {
    const read = typeof options === 'object' && options !== null ? assign({}, options) : options;
    const filename = typeof read === 'string' ? read : typeof read === 'object' && read !== null ? read.filename : undefined;
    if (!namedAsOthers(filename)) return read;
    fail(`vm compiled code under the name of ${filename}`);
    throw new Error(`vm code named as ${filename} is not available to code under test`);
  };
  const RealScript = vm.Script;
  function Script(code, options) {
    return construct(RealScript, [code, checkedOptions(options)], new.target || Script);
  }
  Script.prototype = RealScript.prototype;
  defineProperty(RealScript.prototype, 'constructor', locked(Script));
  defineProperty(vm, 'Script', locked(Script));
  for (const [name, at] of [['runInThisContext', 1], ['runInContext', 2], ['runInNewContext', 2], ['compileFunction', 2], ['createScript', 1]]) {
    const real = vm[name];
    if (typeof real !== 'function') continue;
    defineProperty(vm, name, locked(function checked() {
      const args = [];
      for (let i = 0; i < arguments.length; i++) args[i] = arguments[i];
      if (args.length > at) args[at] = checkedOptions(args[at]);
      return apply(real, this, args);
    }));
  }
  freeze(vm);

  const FROZEN = [
    'node:assert', 'node:assert/strict', 'node:fs', 'node:fs/promises', 'node:path', 'node:util', 'node:util/types',
    'node:child_process', 'node:events', 'node:crypto', 'node:buffer', 'node:os', 'node:inspector',
  ];
  for (const id of FROZEN) freeze(settled(require(id)));
  freeze(require('node:path').win32);
  freeze(Module._extensions);
})();
