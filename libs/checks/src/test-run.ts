import { ShellCommand, shellCommands } from './shell-line';
import { commandHeads, invocationOf, parseTestInvocation, startsWith, TestInvocation, TestOutcome, testOutcome, unwrap } from './test-runner';

/** A command that ran tests, and how they came out. */
export interface TestRun {
  invocation: TestInvocation;
  outcome: TestOutcome;
}

/**
 * A test run read from a command line, its output and its exit code. The exit code is the line's,
 * which is the runner's only when every failure of a runner in it fails the line: `npm test ||
 * true`, `node test/x.js; echo done`, `npm test | tail` (without pipefail), `npm test &`, `a ||
 * npm test` or a `trap` on exit leave an exit status that says nothing of the tests. Such a line
 * is read by the runner's own summary in its output, as a run without an exit code is; with no
 * summary it is no test run at all (nothing shows that the tests ran, let alone how).
 */
export function readTestRun(commandLine: string, output: string, exitCode: number | null | undefined, goalTestCommand = ''): TestRun | null {
  const invocation = parseTestInvocation(commandLine, goalTestCommand);
  if (!invocation) return null;
  // A killed line failed, whatever ran in it.
  const statusShown = exitCode === null || exitStatusIsTheRunners(commandLine, goalTestCommand);
  const outcome = testOutcome(output, statusShown ? exitCode : undefined);
  return statusShown || outcome !== 'unknown' ? { invocation, outcome } : null;
}

/** A pipeline: commands joined by `|`, whose status is its last command's (any failing one's under `set -o pipefail`). */
interface Pipeline {
  commands: ShellCommand[];
  after: ShellCommand['after'];
  pipefail: boolean;
}

function pipelines(commands: readonly ShellCommand[]): Pipeline[] {
  const found: Pipeline[] = [];
  let pipefail = false;
  let current: ShellCommand[] = [];
  for (const command of commands) {
    current.push(command);
    const [name, ...args] = unwrap(command.words);
    const flag = args.findIndex((a, i) => args[i + 1] === 'pipefail' && /^[-+][a-z]*o$/.test(a));
    if (name === 'set' && flag >= 0) pipefail = args[flag].startsWith('-');
    if (command.after === '|' || command.after === '|&') continue;
    found.push({ commands: current, after: command.after, pipefail });
    current = [];
  }
  return found;
}

/** What running a pipeline does to the line's status, when its runner has failed. */
type Effect = 'fails' | 'keeps the status' | 'ends with the status' | 'ends failing' | 'ends passing' | 'sets another status';

function effectOf(pipeline: Pipeline): Effect {
  const [only, ...more] = pipeline.commands;
  const [name, code, ...rest] = unwrap(only.words);
  if (more.length > 0 || rest.length > 0) return 'sets another status';
  if (name === 'false') return code === undefined ? 'fails' : 'sets another status';
  if (name !== 'exit') return 'sets another status';
  if (code === undefined || code === '$?') return only.subshell ? 'keeps the status' : 'ends with the status';
  if (!/^\d+$/.test(code)) return 'sets another status';
  if (Number(code) === 0) return 'ends passing';
  return only.subshell ? 'fails' : 'ends failing';
}

/**
 * Whether the line fails whenever the runner in `pipelines[at]` fails: the runner surely runs (no
 * `||` before it), in the foreground, decides its pipeline's status, and nothing that runs after
 * its failure sets another status before the line ends.
 */
function failureReachesTheEnd(lines: readonly Pipeline[], at: number, runnerLast: boolean): boolean {
  const own = lines[at];
  if (lines[at - 1]?.after === '||' || own.after === '&' || !(runnerLast || own.pipefail)) return false;
  let status: 'failed' | 'unknown' = 'failed';
  for (let i = at + 1; i < lines.length; i++) {
    const joined = lines[i - 1].after;
    const runs = joined === '&&' ? (status === 'failed' ? 'no' : 'maybe') : joined === '||' ? (status === 'failed' ? 'yes' : 'maybe') : 'yes';
    if (runs === 'no') continue;
    const effect = lines[i].after === '&' ? 'sets another status' : effectOf(lines[i]);
    if (runs === 'maybe' || effect === 'sets another status') status = 'unknown';
    else if (effect === 'fails') status = 'failed';
    else if (effect === 'ends passing') return false;
    else if (effect === 'ends failing') return true;
    else if (effect === 'ends with the status') return status === 'failed';
  }
  return status === 'failed';
}

/**
 * Whether a command line's exit status is its test runners' own: whenever one of them fails
 * (a runner, or a command of the goal's test command), the line fails. A `trap` may rewrite the
 * status on the way out, so a line that sets one never shows it.
 */
export function exitStatusIsTheRunners(commandLine: string, goalTestCommand = ''): boolean {
  const goal = commandHeads(goalTestCommand);
  const isRunner = (c: ShellCommand) => invocationOf(c.words) !== null || goal.some((head) => startsWith(c.words, head));
  const lines = pipelines(shellCommands(commandLine));
  if (lines.some((p) => p.commands.some((c) => unwrap(c.words)[0] === 'trap'))) return false;
  return lines.every((pipeline, at) =>
    pipeline.commands.every((c, i) => !isRunner(c) || failureReachesTheEnd(lines, at, i === pipeline.commands.length - 1)));
}
