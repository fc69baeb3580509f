import { type Found, lineAt } from './run-time-code';

/**
 * Writes to what the goal's tests rely on, under whatever name the module gives it: the
 * assertions, the test runner, the file system a test reads its expectations from, the module
 * loader (`Module._load`, `require.cache`, `require.extensions`), the console, and the built-ins
 * and their prototypes (`Array.prototype.includes = …`, `JSON.parse = …`, `Object.is = …`);
 * in Python the builtins, `unittest`, `pytest`, `os`, `sys` and `atexit`. A write is an
 * assignment or `delete` through a property, a bulk write (`Object.assign`,
 * `Object.defineProperty`, `Object.setPrototypeOf`, `Reflect.set`, `setattr`), reached from the
 * guarded thing itself or from a local name bound to it (`const a = require('assert')`,
 * `import * as a from 'node:assert'`, `const AP = Array.prototype`, `import builtins as b`).
 *
 * The module is read once for its bindings (a few passes over them, for aliases of aliases) and
 * once for its writes: linear in its length. It reads `codeView`: literals emptied, so a module's
 * name is read from the file as written, at the same index.
 */

/** How far a write through a name reaches: a guarded object, the global object, CommonJS `module`, or `process` (whose own writes the other rules read). */
type Kind = 'object' | 'global' | 'module' | 'process';

const JS_MODULES = /^(?:node:)?(?:assert(?:\/strict)?|test|fs(?:\/promises)?|module|console)$/;
const BUILT_INS = new Set([
  'Object', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Function', 'Promise', 'JSON', 'Math', 'Reflect', 'RegExp', 'Date',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'Buffer', 'console', 'require', 'assert',
]);
const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);
const COMPUTED = '[]';

const ACCESSORS = String.raw`(?:\s*\??\.\s*[\w$]+|\s*\[[^[\]\n]{1,200}\])`;
const ASSIGN = String.raw`\s*(?:\*\*|<<|>>>?|&&|\|\||\?\?|[-+*/%&|^])?=(?![=>])`;
/** A module required or imported by a literal name, or a name, cast or not, and what it reaches: `require('assert').strict`, `Array.prototype`, `(a as any)`. */
/** What compiled TypeScript and Babel wrap a required module in: `tslib.__importDefault(require('fs'))`. */
const INTEROP = String.raw`(?:[\w$]+\s*\.\s*)?(?:__importDefault|__importStar|__toESM|_interopRequireDefault|_interopRequireWildcard)\s*\(\s*`;
const JS_ROOT = String.raw`(?:(?:${INTEROP})?(?:require|import)\s*\(\s*(?<quote>['"\x60])\s*\k<quote>\s*\)(?:\s*\))*|\(\s*(?<cast>[A-Za-z_$][\w$]*)(?<castPath>${ACCESSORS}*)\s+as\s+[^()=;\n]{1,60}\)|(?<name>[A-Za-z_$][\w$]*)!?)(?<path>${ACCESSORS}*)`;
const JS_SOURCE = new RegExp(String.raw`\s*(?:await\s+)?(?:\(\s*)*${JS_ROOT}`, 'y');
const JS_SOURCE_ENDS = /\s*(?:[;,)\]}:?|&]|\bas\b|$)/my;
const JS_BINDING = /(?<![.\w$])([A-Za-z_$][\w$]*)\s*(?::[^=;\n]{1,80})?=(?![=>])|\{([^{}]{0,400})\}\s*=(?![=>])|\bimport\s+([^;'"`]{0,400}?)\s*\bfrom\s*(?=['"`])/g;
const JS_WRITE = new RegExp(String.raw`(?<![.\w$])(?<remove>delete\s+)?${JS_ROOT}(?<assign>${ASSIGN})?`, 'g');
/** A guarded module by its literal name: it may be bound to a name, or read or called at once, never handed on (`f(require('assert'))`, `import('assert').then(…)`). */
const JS_MODULE_USE = /\b(?:require|import)\s*\(\s*(['"`])\s*\1\s*\)/g;
const JS_MODULE_BOUND = new RegExp(String.raw`(?:[^=!<>]=|\bawait)\s*\(?\s*(?:${INTEROP})?$`);
const JS_MODULE_READ = /^\s*\)?\s*(?:\.(?!\s*then\b)|\[|\()/;
const JS_BULK = /\b(?:Object\s*\.\s*(?:assign|defineProperty|defineProperties|setPrototypeOf)|Reflect\s*\.\s*(?:set|defineProperty|setPrototypeOf|deleteProperty))\s*\(/g;
/** A prototype reached from any value: `[].__proto__.x = …`, `''.constructor.prototype.x = …`, `Object.getPrototypeOf(x).y = …`. */
const JS_PROTOTYPE_WRITE = new RegExp(String.raw`(?:\.\s*__proto__|\.\s*constructor\s*\.\s*prototype|\bgetPrototypeOf\s*\([^()\n]{0,200}\))${ACCESSORS}+${ASSIGN}|\.\s*__define[GS]etter__\s*\(`);
const JS_KEPT_MODULES = /^(?:node:)?(?:assert(?:\/strict)?|test|module)$/;
const KEPT_KEYS = new Set(['default', 'strict', 'Module']);
const JS_PROTOTYPE = /(?<![.\w$])(?:Object|Array|String|Number|Boolean|Symbol|BigInt|Function|Promise|RegExp|Date|Map|Set|WeakMap|WeakSet|Error)\s*\.\s*prototype\b/g;
const IDENTIFIER = /(?<![.\w$])[A-Za-z_$][\w$]*/g;
/**
 * Read, called, compared, written (the name itself), declared in an import or a destructuring.
 * Reads, calls and comparisons keep it in sight; a write to the name rebinds it.
 */
const KEPT_AFTER = /^\s*(?:\??\.|\[|\(|[=!]==?|=(?![=>])|(?:instanceof|in)\b)|^[^;()=]{0,400}?\bfrom\s*['"`]|^\s*(?:,[^;(){}=]{0,400}?)?\}\s*=(?![=>])/;
/** Compared, typed, or bound to a plain local name (which the bindings follow). */
const KEPT_BEFORE = /(?:[=!]==?|\b(?:typeof|instanceof|in)|(?<![.\w$])[A-Za-z_$][\w$]*\s*(?::[^=;\n]{1,80})?(?<![=!<>])=|\bimport\s+(?:\*\s*as\s+)?)\s*$/;
/** A destructuring assignment (`[a.ok] = …`, `({ x: a.ok } = …)`): each of its targets is written. */
const JS_DESTRUCTURING = /[[{]([^[\]{}]{0,400})[\]}]\s*=(?![=>])/g;
const JS_TARGET = new RegExp(String.raw`^\s*(?:\.\.\.)?${JS_ROOT}\s*$`);
/** A built-in replaced outright: `JSON = …` writes the global unless the module declares a name of its own. */
const JS_BARE_WRITE = new RegExp(String.raw`(?<![.\w$])([A-Za-z_$][\w$]*)${ASSIGN}`, 'g');

/** The first write, in the module's `codeView`, to what the tests rely on; `content` is the file as written. */
export function writesToGuarded(path: string, view: string, content: string): Found | undefined {
  const at = /\.py$/i.test(path) ? pyWrite(view) : jsWrite(view, content);
  return at === undefined ? undefined : { index: at, text: lineAt(content, at) };
}

function accessorNames(accessors: string): string[] {
  return [...accessors.matchAll(/\.\s*([\w$]+)|\[/g)].map((m) => m[1] ?? COMPUTED);
}

function rootKind(name: string, bound: ReadonlyMap<string, Kind>): Kind | undefined {
  if (bound.has(name)) return bound.get(name);
  if (BUILT_INS.has(name)) return 'object';
  if (GLOBAL_OBJECTS.has(name)) return 'global';
  return name === 'module' || name === 'process' ? name : undefined;
}

/** What a property reached from a thing of `kind` is: anything reached from a guarded object is guarded; `module.exports` is the module's own. */
function reach(kind: Kind | undefined, names: readonly string[]): Kind | undefined {
  let k = kind;
  for (const name of names) {
    if (k === 'global') k = BUILT_INS.has(name) || name === COMPUTED ? 'object' : GLOBAL_OBJECTS.has(name) ? 'global' : undefined;
    else if (k === 'module') k = name === 'exports' ? undefined : 'object';
    // `process.mainModule` is the program's module, and its constructor the loader.
    else if (k === 'process') k = name === 'mainModule' ? 'module' : undefined;
    if (k === undefined) return undefined;
  }
  return k;
}

/** The name a literal in the view stands for, read from the file as written: the view keeps the delimiters, `content` the name. */
function literalAt(view: string, content: string, from: number, to: number): string {
  const quote = view.slice(from, to).search(/['"`]/);
  if (quote < 0) return '';
  const open = from + quote;
  return content.slice(open + 1, view.indexOf(view[open], open + 1));
}

/** What the expression at `index` is bound to, if it is complete there (not called or read further). */
function jsSourceKind(view: string, content: string, index: number, bound: ReadonlyMap<string, Kind>): Kind | undefined {
  JS_SOURCE.lastIndex = index;
  const m = JS_SOURCE.exec(view);
  if (!m) return undefined;
  JS_SOURCE_ENDS.lastIndex = index + m[0].length;
  if (!JS_SOURCE_ENDS.test(view)) return undefined;
  const { kind, names } = rootOf(m, view, content, bound);
  return reach(kind, names);
}

/** The kind of what a `JS_ROOT` match starts from, and the properties it reads from there. */
function rootOf(m: RegExpExecArray | RegExpMatchArray, view: string, content: string, bound: ReadonlyMap<string, Kind>): { kind: Kind | undefined; names: string[] } {
  const g = m.groups ?? {};
  const names = accessorNames((g['castPath'] ?? '') + g['path']);
  const name = g['cast'] ?? g['name'];
  if (name !== undefined) return { kind: rootKind(name, bound), names };
  return { kind: JS_MODULES.test(literalAt(view, content, m.index ?? 0, (m.index ?? 0) + m[0].length)) ? 'object' : undefined, names };
}

interface JsBinding {
  /** Local names, each with the property it takes from the source (`{ strict: s }`), if any. */
  names: { local: string; key?: string }[];
  /** Where the source expression starts, or the module it imports from. */
  source: number | { module: string };
}

function destructured(pattern: string): JsBinding['names'] {
  return pattern.split(',').flatMap((item) => {
    const m = /^\s*(?:\.\.\.\s*([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\s*(?::\s*([A-Za-z_$][\w$]*))?)\s*(?:=[\s\S]*)?$/.exec(item);
    if (!m) return [];
    return m[1] ? [{ local: m[1] }] : [{ local: m[3] ?? m[2], key: m[2] }];
  });
}

function imported(clause: string): JsBinding['names'] {
  const names: JsBinding['names'] = [];
  const head = /^\s*(?:type\s+)?([A-Za-z_$][\w$]*)?\s*,?\s*(?:\*\s*as\s+([A-Za-z_$][\w$]*))?/.exec(clause);
  for (const local of [head?.[1], head?.[2]]) if (local) names.push({ local });
  const braces = /\{([^}]*)\}/.exec(clause);
  for (const item of braces?.[1].split(',') ?? []) {
    const m = /^\s*(?:type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(item);
    if (m) names.push({ local: m[2] ?? m[1], key: m[1] });
  }
  return names;
}

/** The local names bound to what the module has no reason to hand on, and the bound names' kinds. */
function jsBindings(view: string, content: string): { bound: Map<string, Kind>; kept: Set<string> } {
  const candidates: JsBinding[] = [...view.matchAll(JS_BINDING)].flatMap((m): JsBinding[] => {
    const end = m.index + m[0].length;
    if (m[1] !== undefined) return [{ names: [{ local: m[1] }], source: end }];
    if (m[2] !== undefined) return [{ names: destructured(m[2]), source: end }];
    return [{ names: imported(m[3]), source: { module: literalAt(view, content, end, end + 1) } }];
  });
  const bound = new Map<string, Kind>();
  // Each pass binds the aliases of what the last one bound; a chain longer than this is not a program's.
  for (let pass = 0, changed = true; changed && pass < 4; pass++) {
    changed = false;
    for (const { names, source } of candidates) {
      const kind = typeof source === 'number' ? jsSourceKind(view, content, source, bound) : JS_MODULES.test(source.module) ? 'object' : undefined;
      if (kind === undefined) continue;
      for (const { local, key } of names) {
        const k = key === undefined || typeof source !== 'number' ? kind : reach(kind, [key]);
        if (k !== undefined && bound.get(local) !== k) {
          bound.set(local, k);
          changed = true;
        }
      }
    }
  }
  const kept = new Set<string>();
  for (let pass = 0, changed = true; changed && pass < 4; pass++) {
    changed = false;
    for (const { names, source } of candidates) {
      if (!(typeof source === 'number' ? keptSource(view, content, source, kept) : JS_KEPT_MODULES.test(source.module))) continue;
      // The module object itself, never one of its functions (`const { ok } = require('assert')`).
      for (const { local, key } of names) if ((key === undefined || KEPT_KEYS.has(key)) && !kept.has(local)) changed = kept.add(local) !== undefined;
    }
  }
  return { bound, kept };
}

/** Whether the expression at `index` is one of the modules kept to the module itself, or a name bound to one. */
function keptSource(view: string, content: string, index: number, kept: ReadonlySet<string>): boolean {
  JS_SOURCE.lastIndex = index;
  const m = JS_SOURCE.exec(view);
  if (!m?.groups) return false;
  if (m.groups['name'] !== undefined) return kept.has(m.groups['name']);
  return m.groups['quote'] !== undefined && JS_KEPT_MODULES.test(literalAt(view, content, index, index + m[0].length));
}

/**
 * Where a module hands on what it has no reason to (a built-in prototype, or a name bound to the
 * assertions, the test runner or the loader): to a function, into an array, object or property,
 * out of a function. What is done with it there, no reading follows. Reading it, calling it,
 * comparing it, binding a local name to it or handing it to `Object`'s and `Reflect`'s own
 * functions (whose writes the bulk rule reads) keep it in sight.
 */
function handsOn(view: string, kept: ReadonlySet<string>): number | undefined {
  for (const m of view.matchAll(JS_PROTOTYPE)) {
    const before = view.slice(Math.max(0, m.index - 300), m.index);
    const after = view.slice(m.index + m[0].length, m.index + m[0].length + 400);
    // A prototype stands as a value in honest code (`Symbol ? Symbol.prototype : undefined`, `new Set([Object.prototype])`):
    // only one handed to a function, or kept in a property, leaves sight.
    const argument = /^\s*[,)]/.test(after) && !/^(?:(?:Object|Reflect)\s*\.\s*\w+)?$/.test(calleeOf(before));
    if (argument || /(?:\.\s*[\w$]+|\])\s*=\s*$/.test(before)) return m.index;
  }
  if (kept.size === 0) return undefined;
  for (const m of view.matchAll(IDENTIFIER)) {
    if (!kept.has(m[0])) continue;
    const before = view.slice(Math.max(0, m.index - 300), m.index);
    const after = view.slice(m.index + m[0].length, m.index + m[0].length + 400);
    if (KEPT_AFTER.test(after) || KEPT_BEFORE.test(before)) continue;
    if (/^\s*[,)]/.test(after) && /^(?:Object|Reflect)\s*\.\s*\w+\s*$/.test(calleeOf(before))) continue;
    return m.index;
  }
  return undefined;
}

/** The callee of the call whose arguments `before` ends in, read back to its unclosed `(`. */
function calleeOf(before: string): string {
  let depth = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const c = before[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) return c === '(' ? (/(?:[\w$]+\s*\.\s*)*[\w$]+\s*$/.exec(before.slice(0, i))?.[0] ?? '').trim() : '';
      depth--;
    }
  }
  return '';
}

/** Whether writing the last of `names`, reached from a thing of `kind`, writes what the tests rely on. */
function guardedTarget(kind: Kind | undefined, names: readonly string[]): boolean {
  if (names.length === 0) return false;
  const target = reach(kind, names.slice(0, -1));
  const property = names[names.length - 1];
  return target === 'object' || (target === 'global' && (BUILT_INS.has(property) || GLOBAL_OBJECTS.has(property) || property === COMPUTED)) || (target === 'module' && property !== 'exports');
}

function jsWrite(view: string, content: string): number | undefined {
  const { bound, kept } = jsBindings(view, content);
  for (const m of view.matchAll(JS_WRITE)) {
    if (m.groups?.['remove'] === undefined && m.groups?.['assign'] === undefined) continue;
    const { kind, names } = rootOf(m, view, content, bound);
    if (guardedTarget(kind, names)) return m.index;
  }
  for (const m of view.matchAll(JS_DESTRUCTURING)) {
    // `x[key] = …` writes a property of x, read by the other rules.
    if (m[0][0] === '[' && /[\w$)\]]\s*$/.test(view.slice(Math.max(0, m.index - 20), m.index))) continue;
    let at = m.index + 1;
    for (const item of m[1].split(',')) {
      // `{ key: target = fallback }`: the target stands after the key and before its default.
      const target = item.replace(/=[\s\S]*$/, '').replace(/^[^:]*:/, (key) => ' '.repeat(key.length));
      const t = JS_TARGET.exec(target);
      if (t) {
        t.index += at;
        const { kind, names } = rootOf(t, view, content, bound);
        if (guardedTarget(kind, names)) return m.index;
      }
      at += item.length + 1;
    }
  }
  const declared = new Map<string, boolean>();
  for (const m of view.matchAll(JS_BARE_WRITE)) {
    const name = m[1];
    if (!BUILT_INS.has(name) || name === 'require') continue;
    // Declared by name, or among the declarators of one `var a = …, Map = …` statement.
    if (!declared.has(name)) declared.set(name, new RegExp(String.raw`\b(?:(?:function|class)\s+${name}\b|(?:var|let|const)\s(?:[^;]{0,2000}?[\s,])?${name}\s*[=,;]|(?:var|let|const)\s+${name}\b)`).test(view));
    if (!declared.get(name)) return m.index;
  }
  for (const m of view.matchAll(JS_BULK)) if (jsSourceKind(view, content, m.index + m[0].length, bound) !== undefined) return m.index;
  for (const m of view.matchAll(JS_MODULE_USE)) {
    if (!JS_MODULES.test(literalAt(view, content, m.index, m.index + m[0].length))) continue;
    const end = m.index + m[0].length;
    if (!JS_MODULE_BOUND.test(view.slice(Math.max(0, m.index - 40), m.index)) && !JS_MODULE_READ.test(view.slice(end, end + 40))) return m.index;
  }
  return JS_PROTOTYPE_WRITE.exec(view)?.index ?? handsOn(view, kept);
}

const PY_MODULES = /^(?:builtins|__builtins__|unittest|pytest|os|sys|atexit)$/;
/** What a program may set on `os` and `sys` without touching the tests: its environment, arguments and import path. */
const PY_SPARED = /^(?:os\.environ|sys\.(?:argv|path|dont_write_bytecode))(?:\.|$)/;
const PY_IMPORT_AS = /^[ \t]*import[ \t]+([^\n#;]{1,400})/gm;
const PY_FROM_IMPORT = /^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]{0,1000}\)|[^\n#;]{1,400})/gm;
const PY_ALIAS = /(?<![.\w])([A-Za-z_]\w*)[ \t]*=(?!=)[ \t]*([A-Za-z_]\w*(?:[ \t]*\.[ \t]*\w+)*)[ \t]*(?=$|[;#])/gm;
const PY_WRITE = /(?<![.\w])([A-Za-z_]\w*)((?:[ \t]*\.[ \t]*\w+)+)([ \t]*\[[^\]\n]{0,200}\])?[ \t]*(?:\*\*|\/\/|<<|>>|[-+*/%&|^@])?=(?!=)/g;
const PY_SETATTR = /\b(?:setattr|delattr)\s*\(\s*([A-Za-z_]\w*)((?:\s*\.\s*\w+)*)\s*,/g;
/** A namespace written in bulk: `sys.modules.update(…)`, `builtins.__dict__.update(…)`, `vars(builtins).update(…)`, `vars(builtins)[…] = …`. */
const PY_NAMESPACE_WRITE = /(?<![.\w])(?:(vars)\s*\(\s*)?(?<![.\w])([A-Za-z_]\w*)((?:\s*\.\s*\w+)*)(?:\s*\))?\s*(?:\.\s*(?:update|setdefault|pop|popitem|clear|__setitem__|__delitem__)\s*\(|\[[^\]\n]{0,200}\]\s*=(?!=))/g;

const dotted = (path: string) => path.replace(/\s+/g, '');

function pyBindings(view: string): Map<string, string> {
  const bound = new Map<string, string>();
  const bind = (local: string, path: string) => {
    if (PY_MODULES.test(path.split('.')[0])) bound.set(local, path);
  };
  for (const m of view.matchAll(PY_IMPORT_AS)) {
    for (const item of m[1].split(',')) {
      const alias = /^\s*([\w.]+)\s+as\s+(\w+)\s*$/.exec(item);
      if (alias) bind(alias[2], alias[1]);
    }
  }
  for (const m of view.matchAll(PY_FROM_IMPORT)) {
    for (const item of m[2].replace(/[()]/g, '').split(',')) {
      const name = /^\s*(\w+)(?:\s+as\s+(\w+))?\s*$/.exec(item);
      if (name) bind(name[2] ?? name[1], `${m[1]}.${name[1]}`);
    }
  }
  const aliases = [...view.matchAll(PY_ALIAS)];
  for (let pass = 0, changed = true; changed && pass < 4; pass++) {
    changed = false;
    for (const m of aliases) {
      const path = pyResolve(m[2], bound);
      if (path !== undefined && bound.get(m[1]) !== path) {
        bound.set(m[1], path);
        changed = true;
      }
    }
  }
  return bound;
}

/** The dotted path a name and its attributes stand for, if it starts from a guarded module. */
function pyResolve(path: string, bound: ReadonlyMap<string, string>): string | undefined {
  const [root, ...rest] = dotted(path).split('.');
  const base = bound.get(root) ?? (PY_MODULES.test(root) ? root : undefined);
  return base === undefined ? undefined : [base, ...rest].join('.');
}

function pyWrite(view: string): number | undefined {
  const bound = pyBindings(view);
  for (const m of view.matchAll(PY_WRITE)) {
    const target = pyResolve(m[1] + m[2], bound);
    if (target === undefined) continue;
    // A subscript writes into a value the module holds (`os.environ[key] = …`), unless it is the namespace itself.
    if (m[3] !== undefined ? target.endsWith('.__dict__') : !PY_SPARED.test(target)) return m.index;
  }
  for (const m of view.matchAll(PY_SETATTR)) if (pyResolve(m[1] + m[2], bound) !== undefined) return m.index;
  for (const m of view.matchAll(PY_NAMESPACE_WRITE)) {
    const target = pyResolve(m[2] + m[3], bound);
    if (target !== undefined && (m[1] !== undefined || /(?:^sys\.modules|\.__dict__)$/.test(target))) return m.index;
  }
  return undefined;
}
