import { shellCommands } from './shell-line';

/**
 * Test-run recognition from a shell command line. A command is a test run when one of its simple
 * commands invokes a test runner (after `cd x &&`, env assignments, `timeout`, `python -m`, `npx`…),
 * or contains the goal's own test command. Reading or grepping test files is not a test run.
 */
export interface TestInvocation {
  /** The runner: `pytest`, `jest`, `go test`, … or `goal` for the goal's own test command. */
  runner: string;
  /** What it runs: the non-flag arguments, sorted (a retry with other flags has the same target). */
  target: string;
  /** The flags, sorted. */
  flags: string;
}

export type TestOutcome = 'passed' | 'failed' | 'unknown';

const WRAPPERS = new Set(['sudo', 'env', 'time', 'nice', 'nohup', 'command', 'exec', 'stdbuf', 'xvfb-run']);
export const PYTHON = /^(?:python(?:\d(?:\.\d+)?)?|pypy3?)$/;

/** Splits a command line into its simple commands (on pipes, `&&`, `||`, `;`, `&`, newlines, groupings), each tokenized. */
export function simpleCommands(line: string): string[][] {
  return shellCommands(line).map((c) => c.words);
}

/** Drops what runs the real command: env assignments, `timeout 60`, `sudo`, `bundle exec`, `npx`, redirections. */
export function unwrap(tokens: readonly string[]): string[] {
  const rest = tokens.filter((t) => !/^(?:\d*|&)[<>]/.test(t));
  let i = 0;
  for (;;) {
    const t = rest[i];
    if (t === undefined) return [];
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(t) || WRAPPERS.has(t)) i++;
    else if (t === 'timeout') {
      i++;
      while (rest[i]?.startsWith('-')) i++;
      i++;
    } else if ((t === 'bundle' || t === 'poetry' || t === 'uv' || t === 'pipenv' || t === 'hatch') && (rest[i + 1] === 'exec' || rest[i + 1] === 'run')) {
      i = pastOptions(rest, i + 2, RUNNER_VALUE_FLAGS);
    } else if (t === 'coverage' && rest[i + 1] === 'run') {
      // `coverage run -m pytest` runs pytest; `coverage run script.py` runs the script under Python.
      const at = pastOptions(rest, i + 2, COVERAGE_VALUE_FLAGS);
      return rest[at] === '-m' ? [rest[at + 1] ?? '', ...rest.slice(at + 2)] : ['python', ...rest.slice(at)];
    }
    else if (t === 'npx' || t === 'bunx' || (t === 'pnpm' && rest[i + 1] === 'exec') || (t === 'yarn' && rest[i + 1] === 'exec')) i += t === 'npx' || t === 'bunx' ? 1 : 2;
    else if (PYTHON.test(baseName(t)) && rest[i + 1] === '-m') {
      return [rest[i + 2] ?? '', ...rest.slice(i + 3)];
    } else return rest.slice(i);
  }
}

/** Options of `uv run`, `poetry run`, … and `coverage run` that take a value: the program comes after them. */
const RUNNER_VALUE_FLAGS = new Set(['--with', '--with-requirements', '--python', '-p', '--extra', '--group', '--package', '--directory', '--project', '--env-file', '--index', '-e', '--env']);
const COVERAGE_VALUE_FLAGS = new Set(['--source', '--include', '--omit', '--rcfile', '--data-file', '--context', '--concurrency']);
/** Options a package manager takes before its subcommand that take a value (`pnpm --filter web test`, `npm -w pkg test`). */
const MANAGER_VALUE_FLAGS = new Set(['-w', '--workspace', '--prefix', '-C', '--dir', '--filter', '-F', '--cwd']);

/** The index of the first token at or after `from` that is not an option (or an option's value). */
function pastOptions(tokens: readonly string[], from: number, valueFlags: ReadonlySet<string>): number {
  let i = from;
  while (tokens[i]?.startsWith('-') && tokens[i] !== '-m') i += valueFlags.has(tokens[i]) ? 2 : 1;
  return i;
}

export const baseName = (path: string) => path.replace(/\\/g, '/').split('/').pop() ?? path;

/** The runner a simple command invokes, and how many of its tokens name it. */
function runnerOf(tokens: readonly string[]): { runner: string; words: number } | null {
  const [first = '', second = '', third = ''] = tokens;
  const name = baseName(first);
  if (name === 'pytest' || name === 'py.test') return { runner: 'pytest', words: 1 };
  if (['tox', 'nox', 'jest', 'vitest', 'mocha', 'ctest', 'rspec', 'phpunit', 'unittest', 'nose2', 'trial'].includes(name)) {
    return { runner: name, words: 1 };
  }
  if (first === 'bin/test' || first === './bin/test' || first.endsWith('/bin/test')) return { runner: 'bin/test', words: 1 };
  if (name === 'node' && tokens.includes('--test')) return { runner: 'node --test', words: 1 };
  if (name === 'manage.py' && second === 'test') return { runner: 'manage.py test', words: 2 };
  if (PYTHON.test(name) || name === 'node') {
    const scriptAt = tokens.findIndex((t, i) => i > 0 && !t.startsWith('-'));
    const script = scriptAt > 0 ? tokens[scriptAt] : '';
    if (baseName(script) === 'manage.py' && tokens[scriptAt + 1] === 'test') return { runner: 'manage.py test', words: scriptAt + 2 };
    if (baseName(script) === 'runtests.py') return { runner: 'runtests.py', words: 2 };
    if (/(?:^|\/)tests?\/.*\.(?:py|js)$|(?:^|\/)test_[^/]*\.py$|(?:^|\/)[^/]*_test\.py$|\.test\.[cm]?js$/.test(script)) {
      return { runner: 'test file', words: 1 };
    }
    if (baseName(script) === 'setup.py' && tokens.includes('test')) return { runner: 'setup.py test', words: 3 };
    return null;
  }
  if (baseName(first) === 'runtests.py') return { runner: 'runtests.py', words: 1 };
  if (['npm', 'yarn', 'pnpm', 'bun'].includes(name)) {
    let at = pastOptions(tokens, 1, MANAGER_VALUE_FLAGS);
    if (name === 'yarn' && tokens[at] === 'workspace') at = pastOptions(tokens, at + 2, MANAGER_VALUE_FLAGS);
    const [sub = '', script = ''] = tokens.slice(at);
    if (sub === 'test' || sub === 't') return { runner: `${name} test`, words: at + 1 };
    if ((sub === 'run' || sub === 'run-script') && /^test(?::|$)/.test(script)) return { runner: `${name} test`, words: at + 2 };
    const binary = name === 'npm' ? null : runnerOf(tokens.slice(at));
    return binary && { runner: binary.runner, words: binary.words + at };
  }
  const framework = frameworkRunner(name, tokens);
  if (framework) return framework;
  if (name === 'go' && second === 'test') return { runner: 'go test', words: 2 };
  if (name === 'cargo' && (second === 'test' || second === 'nextest')) return { runner: 'cargo test', words: 2 };
  if (['mvn', 'mvnw', 'gradle', 'gradlew'].includes(name)) {
    const at = tokens.findIndex((t, i) => i > 0 && /^(?:test|check|verify|integrationTest)$|:test$/.test(t));
    return at > 0 ? { runner: `${name.replace(/w$/, '')} test`, words: 1 } : null;
  }
  if (name === 'make' && tokens.slice(1).some((t) => /^(?:test|tests|check)$/.test(t))) return { runner: 'make test', words: 1 };
  if (name === 'dotnet' && second === 'test') return { runner: 'dotnet test', words: 2 };
  return null;
}

/** Framework and monorepo tools whose subcommand runs the tests (`deno test`, `cypress run`, `nx test app`). */
const TEST_SUBCOMMANDS: Record<string, string> = { playwright: 'test', cypress: 'run', deno: 'test', swift: 'test', mix: 'test', rails: 'test', nx: 'test', turbo: 'test' };

/** Runners of frameworks and monorepo tools that run tests through a subcommand. */
function frameworkRunner(name: string, tokens: readonly string[]): { runner: string; words: number } | null {
  const [, second = '', third = ''] = tokens;
  if (TEST_SUBCOMMANDS[name] === second) return { runner: `${name} ${second}`, words: 2 };
  if (name === 'php' && baseName(second) === 'artisan' && third === 'test') return { runner: 'artisan test', words: 3 };
  if (name === 'nx' && second === 'run' && /:test(?::|$)/.test(third)) return { runner: 'nx test', words: 3 };
  if (name === 'nx' && (second === 'run-many' || second === 'affected')) {
    const target = tokens.findIndex((t) => t === '-t' || t === '--target' || t === '--targets');
    if (target > 0 && tokens[target + 1]?.split(',').includes('test')) return { runner: 'nx test', words: target + 2 };
  }
  if (name === 'turbo' && second === 'run' && /^test(?::|$)/.test(third)) return { runner: 'turbo test', words: 3 };
  return null;
}

/** Flags that make a runner list, explain or type-check its tests instead of running them. */
const LISTING_FLAGS = new Set([
  '--collect-only', '--co', '--fixtures', '--markers', '--listTests', '--list-tests', '-list', '--list', '--dry-run', '--help', '-h', '--version',
  '--typecheck.only', '--showConfig',
]);

const normalize = (line: string) => line.trim().replace(/\s+/g, ' ');

/** The test invocation of one simple command (its tokens), or null when it runs no tests. */
export function invocationOf(tokens: readonly string[]): TestInvocation | null {
  if (tokens[0] === 'cd' || tokens[0] === 'export' || tokens[0] === 'source') return null;
  const command = unwrap(tokens);
  const found = runnerOf(command);
  if (!found) return null;
  const args = command.slice(found.words);
  if (args.some((a) => LISTING_FLAGS.has(a))) return null;
  const flags = args.filter((a) => a.startsWith('-'));
  const target = args.filter((a) => !a.startsWith('-') && !/^(?:test|check|run)$/.test(a));
  return { runner: found.runner, target: [...target].sort().join(' '), flags: [...flags].sort().join(' ') };
}

/**
 * The test invocation of a command line, or null when it runs no tests. `goalTestCommand` is the
 * goal's own test command: a command line that contains it is a test run whatever its runner.
 */
export function parseTestInvocation(commandLine: string, goalTestCommand = ''): TestInvocation | null {
  for (const tokens of simpleCommands(commandLine)) {
    const found = invocationOf(tokens);
    if (found) return found;
  }
  const goal = normalize(goalTestCommand);
  if (goal !== '' && invokesCommand(commandLine, goal)) return { runner: 'goal', target: goal, flags: '' };
  return null;
}

/** The simple commands of `command` (a `cd` aside) as they start a simple command that runs it, after the wrappers. */
export function commandHeads(command: string): string[][] {
  return simpleCommands(command).filter((t) => t[0] !== 'cd').map(unwrap).filter((t) => t.length > 0);
}

/** Whether a simple command's tokens start with `head`, word for word after the wrappers. */
export const startsWith = (tokens: readonly string[], head: readonly string[]) => {
  const words = unwrap(tokens);
  return head.every((w, i) => words[i] === w);
};

/**
 * Whether a command line runs `command`: each of its simple commands (a `cd` aside) starts one of
 * the line's simple commands, word for word after the wrappers. `echo "npm test"` names it and
 * does not run it; `cd app && npm test -- --ci` runs it.
 */
export function invokesCommand(commandLine: string, command: string): boolean {
  const wanted = commandHeads(command);
  if (wanted.length === 0) return false;
  const lines = simpleCommands(commandLine);
  return wanted.every((head) => lines.some((tokens) => startsWith(tokens, head)));
}

/**
 * Summary lines runners print, most specific first. Each says the run failed or passed; a failure
 * count of zero is not a failure (`0 failed`).
 */
const FAILED_SUMMARIES: RegExp[] = [
  /^=+ .*\b[1-9]\d* (?:failed|errors?)\b.* =+$/m, // pytest
  /^(?:\d+ [a-z]+, )*[1-9]\d* (?:failed|errors?)(?:, \d+ [a-z]+)* in [\d.]+s\b/m, // pytest -q
  /^\s+[1-9]\d* failed\s*$/m, // playwright
  /^FAILED \((?:failures|errors)=\d+/m, // unittest, runtests.py
  /^Tests?:\s+.*\b[1-9]\d* failed\b/m, // jest
  /^\s*Tests\s+[1-9]\d* failed\b/m, // vitest
  /^\s*[1-9]\d* failing\b/m, // mocha
  /^# fail [1-9]\d*$/m, // node --test (TAP)
  /^test result: FAILED\b/m, // cargo
  /^(?:FAIL|--- FAIL:)\s/m, // go
  /^\d+ examples?, [1-9]\d* failures?\b/m, // rspec
  /^FAILURES!$/m, // phpunit
  /^\[ERROR\] Tests run:.*Failures: [1-9]/m, // maven
  /^\d+% tests passed, [1-9]\d* tests? failed/m, // ctest
  /^\s*(?:ERROR|FAIL):\s+\w+ .*commands failed$/m, // tox
  /^BUILD FAILED\b/m, // gradle
  /^(?:FAILURE|FAILED)\b/m, // pytest's short summary lines, and scripts that say so and exit 0
];
const PASSED_SUMMARIES: RegExp[] = [
  /^=+ (?:(?!failed|error).)*\b\d+ passed\b(?:(?!failed|error).)* =+$/m,
  /^\d+ passed(?:, \d+ (?:skipped|deselected|xfailed|xpassed|warnings?))* in [\d.]+s\b/m,
  /^\s+\d+ passed \([\d.]+m?s\)$/m,
  /^OK(?: \(.*\))?$/m,
  /^Tests?:\s+(?:(?!failed).)*\d+ passed/m,
  /^\s*Tests\s+\d+ passed\b/m,
  /^\s*\d+ passing\b(?![\s\S]*\b[1-9]\d* failing)/m,
  /^# fail 0$/m,
  /^test result: ok\./m,
  /^ok\s+\S+\s+[\d.]+s/m,
  /^\d+ examples?, 0 failures\b/m,
  /^OK \(\d+ tests?/m,
  /^100% tests passed/m,
  /^\s*congratulations :\)$/m,
  /^BUILD SUCCESSFUL\b/m,
];

/**
 * Whether a test run passed: a failure summary line fails it whatever the exit code (a script that
 * prints FAILED and exits 0 did not pass), then the exit code decides, then a pass summary line.
 */
export function testOutcome(output: string, exitCode: number | null | undefined): TestOutcome {
  if (FAILED_SUMMARIES.some((p) => p.test(output))) return 'failed';
  if (exitCode === null) return 'failed';
  if (exitCode !== undefined) return exitCode === 0 ? 'passed' : 'failed';
  if (PASSED_SUMMARIES.some((p) => p.test(output))) return 'passed';
  return 'unknown';
}

/**
 * Whether a command that is not a test run failed: a non-zero exit, a kill, a script of the agent's
 * that says FAILURE even though it exits 0, or (when the source recorded no exit code) an uncaught
 * error in its output.
 */
export function commandFailed(commandLine: string, output: string, exitCode: number | null | undefined): boolean {
  if (exitCode === null) return true;
  if (exitCode !== undefined && exitCode !== 0) return true;
  if (exitCode === 0) return runsAScript(commandLine) && /^(?:FAILURE|FAILED)\b/m.test(output);
  return /^Traceback \(most recent call last\)|^[\w.]*(?:Error|Exception): |command not found$|^(?:FAILURE|FAILED)\b/m.test(output);
}

/** A simple command that runs a script (`python repro.py`, `node check.js`, `./check.sh`), not a reader like grep or cat. */
function runsAScript(commandLine: string): boolean {
  return simpleCommands(commandLine).some((tokens) => {
    const [first = '', second = ''] = unwrap(tokens);
    return first.startsWith('./') || (/^(?:python\d*(?:\.\d+)?|node|bash|sh|ruby|perl)$/.test(baseName(first)) && second !== '' && !second.startsWith('-'));
  });
}
