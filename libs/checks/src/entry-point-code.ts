/**
 * The code of a module that runs only when the module is the program, never when tests load it:
 * the body of its entry-point guard (`if (require.main === module)`, `if __name__ == "__main__":`,
 * an ES module's `import.meta.url === pathToFileURL(process.argv[1]).href`), and the functions
 * that only such code refers to. A function referred to anywhere else (called at load, from an
 * export, exported itself) may run in the tests' process. A guard the module can make hold under
 * the tests (it rebinds `module`, `require`, `require.main` or `__name__`) spares nothing.
 */

type Region = readonly [start: number, end: number];
export type EntryPointOnly = (index: number) => boolean;

const JS = /\.[cm]?[jt]sx?$/i;
const PY = /\.py$/i;
/** More named functions than a CLI has: past it, only the guards themselves are spared, and the search stays linear in the code. */
const MAX_FUNCTIONS = 300;

/** Whether the code at an index of `content` runs only when the module is the program. */
export function entryPointOnly(path: string, content: string): EntryPointOnly {
  const regions = JS.test(path) ? jsRegions(content) : PY.test(path) ? pyRegions(content) : [];
  return (index) => regions.some(([start, end]) => index >= start && index < end);
}

/** Blanks what a string, template, regular expression or comment holds, keeping every index and newline. */
function blank(text: string, from: number, to: number): string {
  return text.slice(from, to).replace(/[^\n]/g, ' ');
}

/** A literal blanked but for its delimiters (and a template's `${`), so code that reads it can still tell a literal from a computed value. */
function blankInside(text: string, from: number, to: number): string {
  const open = text[from];
  const closed = to - from > 1 && text[to - 1] === open;
  const inside = text.slice(from + 1, closed ? to - 1 : to).replace(open === '`' ? /\$\{|[^\n]/g : /[^\n]/g, (s) => (s === '${' ? s : ' '));
  return open + inside + (closed ? open : '');
}

/**
 * The code of a module with its comments blanked and its literals emptied, every index where it
 * was: what it does, never what its strings or comments say. A literal keeps its delimiters.
 */
export function codeView(path: string, content: string): string {
  return JS.test(path) ? maskJs(content, true) : PY.test(path) ? maskPy(content, true) : content;
}

function maskJs(code: string, keepDelimiters = false): string {
  const parts: string[] = [];
  let plainFrom = 0;
  let last = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    const comment = c === '/' && (code[i + 1] === '/' || code[i + 1] === '*');
    let end = -1;
    if (c === '/' && code[i + 1] === '/') end = code.indexOf('\n', i) < 0 ? code.length : code.indexOf('\n', i);
    else if (c === '/' && code[i + 1] === '*') end = code.indexOf('*/', i + 2) < 0 ? code.length : code.indexOf('*/', i + 2) + 2;
    // A slash where a value is expected starts a regular expression, not a division.
    else if (c === '"' || c === "'" || c === '`' || (c === '/' && (last === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(last)))) {
      end = i + 1;
      while (end < code.length && code[end] !== c && !(c !== '`' && code[end] === '\n')) end += code[end] === '\\' ? 2 : 1;
      end = Math.min(code.length, end + 1);
    }
    if (end < 0) {
      if (c !== ' ' && c !== '\n' && c !== '\t' && c !== '\r') last = c;
      i++;
    } else {
      parts.push(code.slice(plainFrom, i), keepDelimiters && !comment ? blankInside(code, i, end) : blank(code, i, end));
      last = c;
      i = plainFrom = end;
    }
  }
  parts.push(code.slice(plainFrom));
  return parts.join('');
}

const CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** The index just past the bracket that closes the one at `open`. */
function pastClosing(code: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < code.length; i++) {
    if (CLOSE[code[i]]) stack.push(CLOSE[code[i]]);
    else if (code[i] === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    }
  }
  return code.length;
}

/** The index just past the statement or block that starts at `from`: a `{ … }` block, or up to `;` or a line's end outside brackets. */
function pastStatement(code: string, from: number): number {
  let i = from;
  while (code[i] === ' ' || code[i] === '\t' || code[i] === '\n') i++;
  if (code[i] === '{') return pastClosing(code, i);
  for (; i < code.length; i++) {
    if (CLOSE[code[i]]) i = pastClosing(code, i) - 1;
    else if (code[i] === ';' || code[i] === '\n') return i + 1;
  }
  return code.length;
}

const JS_GUARD = new RegExp(
  String.raw`\bif\s*\(\s*(?:require\.main\s*===?\s*module|module\s*===?\s*require\.main|import\.meta\.main|` +
    String.raw`import\.meta\.url\s*===?\s*(?:url\.)?pathToFileURL\(\s*process\.argv\[1\]\s*\)\.href|(?:url\.)?pathToFileURL\(\s*process\.argv\[1\]\s*\)\.href\s*===?\s*import\.meta\.url)\s*\)`,
  'g',
);
/**
 * What may make `require.main === module` hold under the tests: `module`, `require` or
 * `require.main` assigned, declared, destructured, taken as a parameter, handed to a function
 * (`Object.assign(require, …)`), or code the guard cannot see (`eval`, `Function`, `with`).
 */
const JS_GUARD_FORGED = new RegExp([
  String.raw`\brequire\s*\.\s*main\s*=(?!=)`,
  String.raw`(?<![.\w$])(?:module|require)\s*=(?!=)`,
  String.raw`\b(?:var|let|const|function|class)\s+(?:module|require)\b`,
  String.raw`\b(?:var|let|const)\s*[{[][^=;]*\b(?:module|require)\b`,
  String.raw`[(,]\s*(?:module|require)\s*(?:[,)]|=(?!=)|(?:of|in)\b)`,
  String.raw`import\.meta\.(?:main|url)\s*=(?!=)`,
  String.raw`\b(?:eval|Function|with)\s*\(`,
].join('|'));
const JS_FUNCTION = /\b(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(|\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]+)?=\s*(?:async\s*)?(?=function\b|\(|[A-Za-z_$][\w$]*\s*=>)/g;

interface NamedFunction {
  name: string;
  /** Where its name is declared. */
  at: number;
  body: Region;
}

/** The functions a JavaScript module declares by name (`function f`, `const f = (…) =>`, `const f = function`), with where they are. */
function jsFunctions(code: string): NamedFunction[] {
  const found = [...code.matchAll(JS_FUNCTION)];
  if (found.length > MAX_FUNCTIONS) return [];
  return found.flatMap((m) => {
    // An exported function is the tests' to call.
    if (/\bexport\s+(?:default\s+)?$/.test(code.slice(Math.max(0, m.index - 20), m.index))) return [];
    const name = m[1] ?? m[2];
    const value = m.index + m[0].length;
    const declared = m[1] !== undefined || code.startsWith('function', value);
    let start: number;
    if (declared) {
      const params = m[1] !== undefined ? value - 1 : code.indexOf('(', value);
      start = code.indexOf('{', pastClosing(code, params));
    } else {
      const afterParams = code[value] === '(' ? pastClosing(code, value) : code.indexOf('=>', value);
      const arrow = /^\s*(?::[^=;{]+)?=>/.exec(code.slice(afterParams));
      if (!arrow) return [];
      start = afterParams + arrow[0].length;
    }
    if (start < 0) return [];
    return [{ name, at: m.index + m[0].indexOf(name), body: [m.index, pastStatement(code, start)] as const }];
  });
}

function jsRegions(content: string): Region[] {
  const code = maskJs(content);
  if (JS_GUARD_FORGED.test(code)) return [];
  const guards = [...code.matchAll(JS_GUARD)].map((m): Region => [m.index, pastStatement(code, m.index + m[0].length)]);
  return withFunctionsOnlyThey(code, guards, jsFunctions(code));
}

const IDENTIFIER = /(?<![.\w$])[A-Za-z_$][\w$]*/g;

/**
 * The guards, and the bodies of the functions referred to only from them or from bodies already
 * spared, until none is added. A function referred to nowhere is not spared (a name the code
 * builds may reach it), nor one whose name is declared twice.
 */
function withFunctionsOnlyThey(code: string, guards: readonly Region[], functions: readonly NamedFunction[]): Region[] {
  if (guards.length === 0) return [...guards];
  const inside = (i: number, r: Region) => i >= r[0] && i < r[1];
  const declared = new Map<string, number>();
  functions.forEach((f) => declared.set(f.name, (declared.get(f.name) ?? 0) + 1));
  const uses = new Map<string, number[]>();
  for (const m of code.matchAll(IDENTIFIER)) {
    if (declared.get(m[0]) !== 1) continue;
    if (!uses.has(m[0])) uses.set(m[0], []);
    uses.get(m[0])!.push(m.index);
  }
  let pending = functions
    .filter((f) => declared.get(f.name) === 1)
    .map((f) => ({ body: f.body, uses: (uses.get(f.name) ?? []).filter((i) => i !== f.at && !inside(i, f.body)) }))
    .filter((p) => p.uses.length > 0);
  const regions = [...guards];
  // Each use is checked once against each region, as the region is added.
  for (let fresh: Region[] = [...guards]; fresh.length > 0; ) {
    const added: Region[] = [];
    pending = pending.filter((p) => {
      p.uses = p.uses.filter((i) => !fresh.some((r) => inside(i, r)));
      if (p.uses.length > 0) return true;
      added.push(p.body);
      return false;
    });
    regions.push(...added);
    fresh = added;
  }
  return regions;
}

function maskPy(code: string, keepDelimiters = false): string {
  return code.replace(/#[^\n]*|(?:[rRbBuUfF]{0,2})(?:'''[\s\S]*?'''|"""[\s\S]*?"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")/g, (m) => {
    const delimiter = keepDelimiters && m[0] !== '#' ? /^[rRbBuUfF]{0,2}('''|"""|'|")/.exec(m) : null;
    if (!delimiter) return m.replace(/[^\n]/g, ' ');
    const close = delimiter[1].length;
    return m.slice(0, delimiter[0].length) + m.slice(delimiter[0].length, m.length - close).replace(/[^\n]/g, ' ') + m.slice(m.length - close);
  });
}

const PY_GUARD = /^if\s+(?:__name__\s*==\s*(['"])__main__\1|(['"])__main__\2\s*==\s*__name__)\s*:/;
/** `__name__` rebound, by assignment (`sys.modules[__name__].__name__` too), by name in a string (`globals()['__name__'] = …`, `setattr(…, '__name__', …)`), or in code the guard cannot see. */
const PY_NAME_REBOUND = /(?<![.\w])__name__\s*=(?!=)|\bmodules\s*\[[^\]]*\]\s*\.\s*__name__\s*=(?!=)|\b(?:exec|eval)\s*\(/;
const PY_NAME_REBOUND_BY_STRING = /['"]__name__['"]\s*(?:\]\s*=(?!=)|,)/;

/** The Python block that a line at column 0 opens: the line, and the indented or blank lines after it. */
function pyBlock(lines: readonly string[], starts: readonly number[], at: number): Region {
  let last = at;
  for (let j = at + 1; j < lines.length && (lines[j].trim() === '' || /^\s/.test(lines[j])); j++) if (lines[j].trim() !== '') last = j;
  return [starts[at], starts[last] + lines[last].length];
}

function pyRegions(content: string): Region[] {
  const code = maskPy(content);
  if (PY_NAME_REBOUND.test(code) || PY_NAME_REBOUND_BY_STRING.test(content)) return [];
  const lines = code.split('\n');
  const raw = content.split('\n');
  const starts: number[] = [];
  lines.forEach((line, i) => starts.push(i === 0 ? 0 : starts[i - 1] + lines[i - 1].length + 1));
  const guards = lines.flatMap((line, i) => (line.startsWith('if') && PY_GUARD.test(raw[i]) ? [pyBlock(lines, starts, i)] : []));
  const defs = lines.flatMap((line, i) => {
    const m = /^(?:async\s+)?def\s+(\w+)/.exec(line);
    return m ? [{ name: m[1], line: i }] : [];
  });
  const functions = defs.length > MAX_FUNCTIONS ? [] : defs.map(({ name, line }) => ({ name, at: starts[line] + lines[line].indexOf(name), body: pyBlock(lines, starts, line) }));
  return withFunctionsOnlyThey(code, guards, functions);
}
