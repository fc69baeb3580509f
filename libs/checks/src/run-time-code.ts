/**
 * Code a module builds while it runs: a string made into code (`eval`, the `Function` constructor
 * however reached, `vm`, a timer given a string, Python's `exec`, `eval`, `compile`), WebAssembly
 * given system calls (`wasi`), or a module, global or name it computes (`require(name)`,
 * `import(name)`, `globalThis[name]`, `with (obj)`, `__import__`, `import_module(name)`,
 * `globals()[name]`). No reading of the code can say what that does to the process the tests run
 * in, so none of it is spared, wherever it stands.
 *
 * Every lookbehind stands after the words it looks behind from and is bounded: tried at every
 * index, one would read the module again at each (quadratic on a long chain or a long literal).
 *
 * Each reads the code with its comments and literals emptied (`codeView`): a word in a string or a
 * comment builds nothing. A literal keeps its delimiters, so `require('./x')` stays a literal.
 */
const JS_BUILDS_CODE = new RegExp(
  [
    // `eval(…)`, `(0, eval)(…)`, `const run = eval`
    String.raw`(?<![.\w$])eval\b(?!\s*:)`,
    String.raw`\b(?:globalThis|global|window|self)\s*\.\s*(?:eval|Function)\b`,
    // `Function(…)`, `new Function(…)`, and the constructor handed on: `Reflect.construct(Function, …)`, `const F = Function`
    String.raw`(?<![.\w$])Function\s*\(`,
    String.raw`\bnew\s+Function\b`,
    String.raw`Function\b(?<=(?:[(,[]|(?<![=!<>])=)\s{0,20}Function)(?!\s*\.)`,
    // The constructor of a function reached from a value: `({}).constructor.constructor`, `f.constructor(…)`,
    // `(() => {}).constructor`, `Object.getPrototypeOf(async function () {}).constructor`
    String.raw`\.\s*constructor\s*(?:\.\s*constructor\b|\[)`,
    String.raw`\.\s*constructor\s*\((?<!\bnew\s[\w$.\s]{0,200}constructor\s*\()`,
    String.raw`\}\s*\)\s*\.\s*constructor\b(?!\s*\.\s*name\b)`,
    String.raw`\bgetPrototypeOf\s*\(\s*(?:async\b|function\b|\(|[\w$]+\s*=>)`,
    // A global, or a module, named at run time (a literal name is read as a dotted one before this)
    String.raw`(?<![.\w$])(?:globalThis|global|window|self)\s*\[`,
    String.raw`(?<![.\w$])(?:require|import)\s*\(\s*(?!(['"\x60])\s*\1\s*[,)])`,
    String.raw`(?<![.\w$])require\b(?<!\btypeof\s{1,20}require)(?=\s*(?:[,;)\]}]|$))`,
    // `setTimeout('code', 0)`
    String.raw`\b(?:setTimeout|setInterval|setImmediate)\s*\(\s*['"\x60]`,
  ].join('|'),
  'gm',
);
/**
 * `with (obj)`: which name means what is decided at run time. Only sloppy code has the statement
 * (a module, a class or 'use strict' forbid it); a method named `with` is no statement.
 */
const JS_WITH = /with\s*\((?<![.\w$]with\s*\()(?<![{,]\s{0,20}with\s*\()/g;
const USE_STRICT = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(['"])use strict\1/;
const ES_MODULE = /^\s*(?:import\s*[\w{*'"]|export\b)/m;
/** Modules whose whole use is running code no reading can follow: a string (`vm`), WebAssembly with system calls (`wasi`). */
const JS_CODE_MODULES = /^(?:node:)?(?:vm|wasi)$/;
const JS_MODULE_NAMED = /\b(?:require\s*\(|import\s*\(|from|import)\s*(['"`])(\s*)\1/g;

const PY_BUILDS_CODE = new RegExp(
  [
    String.raw`(?<![.\w])(?:exec|eval|compile|__import__)\b(?<!\bdef\s{1,20}\w+)(?!\s*=[^=])`,
    String.raw`\b(?:builtins|__builtins__)\s*(?:\.\s*(?:exec|eval|compile|__import__)\b|\[)`,
    String.raw`\bgetattr\s*\(\s*__builtins__\b`,
    String.raw`\bimport_module\s*\(\s*(?![rRbBuU]{0,2}(['"])\s*\1\s*[,)])`,
    String.raw`(?<![.\w])(?:vars|globals|locals)\s*\(\s*\)\s*\[`,
    String.raw`^\s*(?:import|from)\s+runpy\b`,
  ].join('|'),
  'gm',
);

export interface Found {
  index: number;
  text: string;
}

/** The first place where the code (its `codeView`) builds code at run time; `content` is the file as written. */
export function buildsCodeAtRunTime(path: string, view: string, content: string): Found | undefined {
  if (/\.py$/i.test(path)) return first(view, PY_BUILDS_CODE, content);
  const sloppy = !/\.(?:mjs|mts|tsx?)$/i.test(path) && !USE_STRICT.test(content) && !ES_MODULE.test(view);
  const found = [first(view, JS_BUILDS_CODE, content), sloppy ? first(view, JS_WITH, content) : undefined].reduce((a, b) => (!a || (b && b.index < a.index) ? b : a));
  const vm = [...view.matchAll(JS_MODULE_NAMED)].find((m) => {
    const at = m.index + m[0].length - m[2].length - 1;
    return JS_CODE_MODULES.test(content.slice(at, at + m[2].length));
  });
  if (vm && (!found || vm.index < found.index)) return { index: vm.index, text: lineAt(content, vm.index) };
  return found;
}

function first(view: string, pattern: RegExp, content: string): Found | undefined {
  pattern.lastIndex = 0;
  const m = pattern.exec(view);
  return m ? { index: m.index, text: lineAt(content, m.index) } : undefined;
}

/** What the file says from `index` to the end of its line: the quote a reader sees. */
export function lineAt(content: string, index: number): string {
  const end = content.indexOf('\n', index);
  return content.slice(index, end < 0 ? content.length : end);
}
