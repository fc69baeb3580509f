import type { TraceStep, WorkProduced } from '@loopwright/events';
import { isScopeRefusal, pathAllowed } from './path-scope';

/** The named features of one task's trace. Mined rules and built-in checks read these names. */
export type TraceFeatures = {
  /** run_command steps the sandbox ran (a refused command did not run). */
  commands_run: number;
  /** Commands that ran and did not exit 0 (a killed command has no exit code and counts as failed). */
  failed_commands: number;
  /** Commands whose command line contains the task's test command. */
  test_runs: number;
  passing_test_runs: number;
  /** Exit code of the last test run; -1 when no test ran or it ended without an exit code. */
  last_test_exit_code: number;
  claims_tests_pass: boolean;
  claims_tests_run: boolean;
  /** write_file steps the sandbox carried out. */
  files_written: number;
  /** write_file steps refused for scope, or aimed at a path outside the allowed paths. */
  out_of_scope_writes: number;
  /** The most times one identical command line failed. */
  max_identical_failures: number;
  turns_used: number;
  max_turns: number;
  turn_ratio: number;
  ended_by: WorkProduced['endedBy'];
  questions_asked: number;
  refused_actions: number;
};

export const TRACE_FEATURE_NAMES = [
  'commands_run', 'failed_commands', 'test_runs', 'passing_test_runs', 'last_test_exit_code',
  'claims_tests_pass', 'claims_tests_run', 'files_written', 'out_of_scope_writes', 'max_identical_failures',
  'turns_used', 'max_turns', 'turn_ratio', 'ended_by', 'questions_asked', 'refused_actions',
] as const satisfies readonly (keyof TraceFeatures)[];

export type TraceWork = Pick<
  WorkProduced,
  'testCommand' | 'allowedPaths' | 'claims' | 'endedBy' | 'turnsUsed' | 'maxTurns' | 'finalMessage'
>;

const commandLine = (input: string) => input.trim().replace(/\s+/g, ' ');

/** Computes the trace features of one task iteration from its recorded steps and the work it produced. */
export function computeTraceFeatures(steps: readonly TraceStep[], work: TraceWork): TraceFeatures {
  const ordered = [...steps].sort((a, b) => a.iteration - b.iteration || a.step - b.step);
  const refused = (s: TraceStep) => s.refused !== undefined && s.refused !== '';

  const commands = ordered.filter((s) => s.tool === 'run_command' && !refused(s));
  const failed = commands.filter((s) => s.exitCode !== 0);
  const testCommand = commandLine(work.testCommand);
  const tests = testCommand === '' ? [] : commands.filter((s) => commandLine(s.input).includes(testCommand));
  const lastTest = tests.at(-1);

  const writes = ordered.filter((s) => s.tool === 'write_file');
  const outOfScope = writes.filter(
    (s) => (refused(s) && isScopeRefusal(s.refused)) || !pathAllowed(s.input, work.allowedPaths),
  );

  const failuresByLine = new Map<string, number>();
  for (const s of failed) failuresByLine.set(commandLine(s.input), (failuresByLine.get(commandLine(s.input)) ?? 0) + 1);

  return {
    commands_run: commands.length,
    failed_commands: failed.length,
    test_runs: tests.length,
    passing_test_runs: tests.filter((s) => s.exitCode === 0).length,
    last_test_exit_code: lastTest?.exitCode ?? -1,
    claims_tests_pass: work.claims.testsPass,
    claims_tests_run: work.claims.testsRun,
    files_written: writes.filter((s) => !refused(s)).length,
    out_of_scope_writes: outOfScope.length,
    max_identical_failures: Math.max(0, ...failuresByLine.values()),
    turns_used: work.turnsUsed,
    max_turns: work.maxTurns,
    turn_ratio: work.turnsUsed / work.maxTurns,
    ended_by: work.endedBy,
    questions_asked: ordered.filter((s) => s.kind === 'question').length,
    refused_actions: ordered.filter(refused).length,
  };
}
