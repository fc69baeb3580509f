import type { WorkProduced } from '@loopwright/events';
import { testOutcome } from './test-runner';

/** The grader's own re-run of the work's test command in a fresh sandbox. */
export interface Rerun {
  /** null when the command was killed (time limit) and has no exit code. */
  exitCode: number | null;
  output: string;
}

/**
 * Whether the re-run passed, read as any test run is: a failure summary from the runner fails it
 * whatever the exit code, as code under test can set the exit code of the process it runs in.
 */
export function rerunPassed(rerun: Rerun): boolean {
  return testOutcome(rerun.output, rerun.exitCode) === 'passed';
}

/** The named features of a work's output and of the grader's re-run of its tests. */
export type OutputFeatures = {
  /** -1 when the tests were not re-run or the re-run ended without an exit code. */
  rerun_exit_code: number;
  rerun_passed: boolean;
  /** The final message has a "## Summary" heading (any case). */
  has_summary_section: boolean;
  /** The final message has a "## Tests" heading ("## Test" and "## Testing" count too). */
  has_tests_section: boolean;
  files_changed: number;
  final_message_length: number;
};

export const OUTPUT_FEATURE_NAMES = [
  'rerun_exit_code', 'rerun_passed', 'has_summary_section', 'has_tests_section', 'files_changed',
  'final_message_length',
] as const satisfies readonly (keyof OutputFeatures)[];

const SUMMARY_HEADING = /^ {0,3}##[ \t]+summary\b/im;
const TESTS_HEADING = /^ {0,3}##[ \t]+(?:tests?|testing)\b/im;

/** Computes output features from the produced work and the grader's re-run (null when not re-run). */
export function computeOutputFeatures(
  work: Pick<WorkProduced, 'files' | 'finalMessage'>,
  rerun: Rerun | null,
): OutputFeatures {
  return {
    rerun_exit_code: rerun?.exitCode ?? -1,
    rerun_passed: rerun !== null && rerunPassed(rerun),
    has_summary_section: SUMMARY_HEADING.test(work.finalMessage),
    has_tests_section: TESTS_HEADING.test(work.finalMessage),
    files_changed: work.files.length,
    final_message_length: work.finalMessage.length,
  };
}
