/**
 * A shell command line split into its simple commands, each with the operator that joins it to the
 * next one, the way a shell would run them. Groupings (`( … )`, `{ …; }`) are flattened: their
 * commands stay in order, and the operator after a group joins its last command to what follows.
 */
export interface ShellCommand {
  words: string[];
  /** What joins it to the next command: `&&`, `||`, `|`, `|&`, `;` (a newline too), `&`; empty at the end. */
  after: ShellOperator;
  /** Inside `( … )`: an `exit` there ends the subshell, not the line. */
  subshell: boolean;
}

export type ShellOperator = '&&' | '||' | '|' | '|&' | ';' | '&' | '';

/** The operator starting at `i`, and how many characters it takes. */
function operatorAt(line: string, i: number): { op: ShellOperator; length: number } | null {
  const two = line.slice(i, i + 2);
  if (two === '&&' || two === '||' || two === '|&') return { op: two, length: 2 };
  const c = line[i];
  if (c === '|' || c === '&') return { op: c, length: 1 };
  if (c === ';' || c === '\n') {
    let length = 1;
    while (line[i + length] === ';') length++;
    return { op: ';', length };
  }
  return null;
}

/** Splits a command line into its simple commands, tokenized, and the operators between them. */
export function shellCommands(line: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let hasToken = false;
  let depth = 0;
  const endToken = () => {
    if (hasToken) words.push(current);
    current = '';
    hasToken = false;
  };
  const endCommand = () => {
    endToken();
    // `{` and `}` open and close a group when they stand where a command starts.
    while (words[0] === '{' || words[0] === '}') words.shift();
    if (words.length > 0) commands.push({ words, after: '', subshell: depth > 0 });
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
      continue;
    }
    // A redirection (`2>&1`, `&> log`, `>| log`) is a word, not an operator.
    const redirecting = (c === '&' && (/[<>]$/.test(current) || line[i + 1] === '>')) || (c === '|' && current.endsWith('>'));
    const operator = redirecting ? null : operatorAt(line, i);
    if (c === '"' || c === "'") {
      quote = c;
      hasToken = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      hasToken = true;
    } else if (c === ' ' || c === '\t') endToken();
    else if (c === '(' || c === ')') {
      endCommand();
      depth = Math.max(0, depth + (c === '(' ? 1 : -1));
    }
    else if (operator) {
      endCommand();
      // An operator after a group's end joins the group's last command to what follows.
      const last = commands.at(-1);
      if (last) last.after = operator.op;
      i += operator.length - 1;
    } else {
      current += c;
      hasToken = true;
    }
  }
  endCommand();
  return commands;
}
