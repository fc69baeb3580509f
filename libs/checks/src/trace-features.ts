import type { TraceStep, WorkProduced } from '@loopwright/events';
import { inScratchArea, isScopeRefusal, pathAllowed } from './path-scope';
import { readTestRun } from './test-run';
import { commandFailed, TestInvocation, TestOutcome } from './test-runner';

/** The named features of one task's trace. Mined rules and built-in checks read these names. */
export type TraceFeatures = {
  /** Command steps that ran (a refused command did not run). */
  commands_run: number;
  /** Commands that failed: a non-zero exit, a kill, or a failure summary line from a test runner. */
  failed_commands: number;
  /** Commands that invoke a test runner (parsed from the command line) or the goal's own test command. */
  test_runs: number;
  passing_test_runs: number;
  /** Exit code of the last test run (1 for a failure read from its summary); -1 when none ran or it is unknown. */
  last_test_exit_code: number;
  claims_tests_pass: boolean;
  claims_tests_run: boolean;
  /** The phrase the claims were read from, quoted. */
  claims_evidence: string;
  /** Edit steps carried out, by an edit tool or inferred from a shell command. */
  files_written: number;
  /** Files of the delivered change outside the allowed paths (the scratch area never counts). */
  out_of_scope_writes: number;
  /** Edits attempted outside the allowed paths and the scratch area, refused or not. */
  out_of_scope_attempts: number;
  /** The longest streak of one identical failing command line with no edit in between. */
  max_identical_failures: number;
  /** The longest streak of failing runs of one test runner and target, with no edit in between and flags changed. */
  max_near_identical_retries: number;
  turns_used: number;
  max_turns: number;
  turn_ratio: number;
  ended_by: WorkProduced['endedBy'];
  questions_asked: number;
  refused_actions: number;
};

export const TRACE_FEATURE_NAMES = [
  'commands_run', 'failed_commands', 'test_runs', 'passing_test_runs', 'last_test_exit_code',
  'claims_tests_pass', 'claims_tests_run', 'claims_evidence', 'files_written', 'out_of_scope_writes', 'out_of_scope_attempts',
  'max_identical_failures', 'max_near_identical_retries', 'turns_used', 'max_turns', 'turn_ratio', 'ended_by',
  'questions_asked', 'refused_actions',
] as const satisfies readonly (keyof TraceFeatures)[];

export type TraceWork = Pick<
  WorkProduced,
  'testCommand' | 'allowedPaths' | 'claims' | 'endedBy' | 'turnsUsed' | 'maxTurns' | 'finalMessage'
> & Partial<Pick<WorkProduced, 'files' | 'scratchPaths'>>;

const commandLine = (input: string) => input.trim().replace(/\s+/g, ' ');
const refused = (s: TraceStep) => s.refused !== undefined && s.refused !== '';

/** A command step as the features see it: did it fail, and which tests did it run. */
export interface CommandView {
  step: TraceStep;
  line: string;
  test: TestInvocation | null;
  /** How its tests came out, when it is a test run. */
  outcome: TestOutcome | null;
  failed: boolean;
}

/** Reads each command that ran: its test invocation, and whether it failed. */
export function viewCommands(steps: readonly TraceStep[], testCommand: string): CommandView[] {
  return steps
    .filter((s) => s.kind === 'command' && !refused(s))
    .map((step) => {
      const run = readTestRun(step.input, step.output, step.exitCode, testCommand);
      const failed = run ? run.outcome === 'failed' : commandFailed(step.input, step.output, step.exitCode);
      return { step, line: commandLine(step.input), test: run?.invocation ?? null, outcome: run?.outcome ?? null, failed };
    });
}

/** Steps in order: iteration, then step number. */
export const inStepOrder = (steps: readonly TraceStep[]) => [...steps].sort((a, b) => a.iteration - b.iteration || a.step - b.step);

/** Computes the trace features of one task iteration from its recorded steps and the work it produced. */
export function computeTraceFeatures(steps: readonly TraceStep[], work: TraceWork): TraceFeatures {
  const ordered = inStepOrder(steps);
  const commands = viewCommands(ordered, work.testCommand);
  const tests = commands.filter((c) => c.test !== null);
  const lastTest = tests.at(-1);
  const edits = ordered.filter((s) => s.kind === 'edit');
  const scratch = work.scratchPaths ?? [];

  return {
    commands_run: commands.length,
    failed_commands: commands.filter((c) => c.failed).length,
    test_runs: tests.length,
    passing_test_runs: tests.filter((c) => c.outcome === 'passed').length,
    last_test_exit_code: lastTest ? lastTestExitCode(lastTest) : -1,
    claims_tests_pass: work.claims.testsPass,
    claims_tests_run: work.claims.testsRun,
    claims_evidence: work.claims.evidence ?? '',
    files_written: edits.filter((s) => !refused(s)).length,
    out_of_scope_writes: deliveredFiles(edits, work).filter((f) => !inScratchArea(f, scratch) && !pathAllowed(f, work.allowedPaths)).length,
    out_of_scope_attempts: edits.filter(
      (s) => (refused(s) && isScopeRefusal(s.refused)) || (!inScratchArea(pathOf(s), scratch) && !pathAllowed(pathOf(s), work.allowedPaths)),
    ).length,
    ...repetition(ordered, commands),
    turns_used: work.turnsUsed,
    max_turns: work.maxTurns,
    turn_ratio: work.turnsUsed / work.maxTurns,
    ended_by: work.endedBy,
    questions_asked: ordered.filter((s) => s.kind === 'question').length,
    refused_actions: ordered.filter(refused).length,
  };
}

const pathOf = (s: TraceStep) => s.path ?? s.input;

/** The line's exit code when it is the runner's; else 0 or 1 as its summary read, or -1 when unknown. */
function lastTestExitCode(test: CommandView): number {
  const { exitCode } = test.step;
  if (typeof exitCode === 'number' && (exitCode !== 0) === (test.outcome === 'failed')) return exitCode;
  if (exitCode === null || test.outcome === 'unknown') return -1;
  return test.outcome === 'passed' ? 0 : 1;
}

/**
 * The delivered change: the work's files when it names them, else the files its edits wrote inside
 * the repository. A write outside the repository (an absolute path) is never part of it.
 */
function deliveredFiles(edits: readonly TraceStep[], work: TraceWork): string[] {
  const written = edits.filter((s) => !refused(s)).map(pathOf);
  const files = work.files && work.files.length > 0 ? work.files : written;
  return [...new Set(files.filter((f) => !f.startsWith('/')))];
}

/**
 * Thrashing: the same failing command again with no edit since, and failing runs of one test
 * runner and target retried with only their flags changed, again with no edit in between. Each
 * agent of a transcript has its own streaks: a sub-agent's first run of a failing command is not
 * the main agent repeating it. An edit by any of them changes the workspace and ends every streak.
 */
function repetition(ordered: readonly TraceStep[], commands: readonly CommandView[]) {
  const byStep = new Map(commands.map((c) => [c.step, c]));
  const identical = new Map<string, number>();
  const near = new Map<string, { key: string; flags: Set<string>; count: number }>();
  let maxIdentical = 0;
  let maxNear = 0;
  for (const step of ordered) {
    if (step.kind === 'edit' && !refused(step)) {
      identical.clear();
      near.clear();
      continue;
    }
    const command = byStep.get(step);
    if (!command) continue;
    const speaker = step.speaker ?? '';
    const line = `${speaker}\u0000${command.line}`;
    if (!command.failed) {
      identical.delete(line);
      if (command.test) near.delete(speaker);
      continue;
    }
    const count = (identical.get(line) ?? 0) + 1;
    identical.set(line, count);
    maxIdentical = Math.max(maxIdentical, count);
    if (command.test) {
      const key = `${command.test.runner}\u0000${command.test.target}`;
      const earlier = near.get(speaker);
      const streak = earlier && earlier.key === key ? earlier : { key, flags: new Set<string>(), count: 0 };
      streak.flags.add(command.test.flags);
      streak.count++;
      near.set(speaker, streak);
      if (streak.flags.size > 1) maxNear = Math.max(maxNear, streak.count);
    }
  }
  return { max_identical_failures: maxIdentical, max_near_identical_retries: maxNear };
}
