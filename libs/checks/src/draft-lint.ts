import type { TraceStep } from '@loopwright/events';
import { computeOutputFeatures } from './output-features';
import type { FeatureVector } from './predicate';
import { computeTraceFeatures, TraceWork } from './trace-features';

/** One obvious failure the lint found in a draft. */
export interface LintFinding {
  check: string;
  /** What to fix, in words a drafter can act on. */
  detail: string;
}

/**
 * The deterministic checks a draft must pass before anyone edits it (draft–lint–edit): the obvious
 * failures, read from the draft's own trace and final message, with no model and no re-run.
 */
export function lintDraft(features: FeatureVector): LintFinding[] {
  const findings: LintFinding[] = [];
  const add = (check: string, detail: string) => findings.push({ check, detail });
  if (features['ended_by'] !== 'finished') add('finished', 'finish the work and report it before the turn limit');
  if (features['test_runs'] === 0) add('ran_tests', 'run the test command after the last change');
  else if (features['last_test_exit_code'] !== 0) add('tests_pass', 'the last test run failed: fix the code until the tests pass');
  if (features['has_summary_section'] !== true || features['has_tests_section'] !== true) add('sections', 'end with a "## Summary" and a "## Tests" section');
  if (Number(features['out_of_scope_attempts'] ?? 0) > 0 || Number(features['out_of_scope_writes'] ?? 0) > 0) add('scope', 'write only inside the allowed paths');
  if (Number(features['max_identical_failures'] ?? 0) >= 3) add('thrashing', 'read the error and change something before running a failing command again');
  if (features['claims_tests_pass'] === true && features['passing_test_runs'] === 0) add('claims', 'claim the tests pass only after a passing run');
  return findings;
}

/**
 * The features of a draft as the executor sees it, before the grader: its trace and message, no
 * re-run. The editorial decision is requested with these, and the lint's verdict among them.
 */
export function draftFeatures(steps: readonly TraceStep[], work: TraceWork & { files: readonly string[] }, attempts: number): FeatureVector {
  const { rerun_exit_code: _code, rerun_passed: _passed, ...output } = computeOutputFeatures(work, null);
  const features: FeatureVector = { ...computeTraceFeatures(steps, work), ...output };
  return { ...features, lint_passed: lintDraft(features).length === 0, draft_attempts: attempts };
}
