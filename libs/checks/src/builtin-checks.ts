import { ValidationError } from '@loopwright/core';
import type { Predicate } from '@loopwright/events';
import { evaluatePredicate, FeatureValue, FeatureVector, featuresOf } from './predicate';

/** The verdict of a check: evidence quotes the feature values it was decided on. */
export interface CheckResult {
  passed: boolean;
  evidence: string;
}

/**
 * A built-in deterministic check. It is written as data, a predicate over named features that
 * holds when the check fails, so a built-in check and a mined rule are evaluated the same way.
 */
export interface BuiltinCheck {
  id: string;
  description: string;
  /** Which feature set it reads: the trace features, the output features, or the role features. */
  surface: 'trace' | 'output' | 'role' | 'run';
  failsWhen: Predicate;
  failed: string;
  passed: string;
  /** More features its evidence quotes when they are recorded: the specifics (paths, steps) of this work. */
  quotes?: readonly string[];
  /**
   * What would pass it, phrased against the work: `{feature}` is replaced by that feature's recorded
   * value (`{boundary_violation_paths}` → `src/a.js, public/x.html`).
   */
  remedy: string;
}

const defineChecks = <const T extends Record<string, Omit<BuiltinCheck, 'id'>>>(checks: T) =>
  Object.fromEntries(Object.entries(checks).map(([id, check]) => [id, { id, ...check }])) as {
    readonly [K in keyof T]: BuiltinCheck & { id: K };
  };

export const BUILTIN_CHECKS = defineChecks({
  claimed_tested_without_running: {
    description: 'The final message claims the tests pass, but no test command ran.',
    surface: 'trace',
    failsWhen: { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'test_runs', eq: 0 }] },
    failed: 'claims the tests pass without having run them',
    passed: 'no claim of passing tests without a test run',
    quotes: ['claims_evidence'],
    remedy: 'Run the tests and report what they showed, or withdraw the claim "{claims_evidence}": no test command ran in this stage.',
  },
  edited_outside_scope: {
    description:
      'The delivered change touches files outside the allowed paths, whichever tool made it (the scratch area never counts), or holds a link or special file.',
    surface: 'trace',
    failsWhen: { any: [{ feature: 'out_of_scope_changes', gt: 0 }, { feature: 'out_of_scope_writes', gt: 0 }] },
    failed: 'the delivered change touches files outside the allowed paths',
    passed: 'the delivered change stays inside the allowed paths',
    quotes: ['out_of_scope_paths'],
    remedy: "Undo the changes outside the goal's allowed paths ({out_of_scope_paths}), whichever tool made them.",
  },
  delivered_outside_scope: {
    description: 'The delivered workspace, against the seed, created, changed or deleted a file outside the allowed paths, or holds a link or special file.',
    surface: 'output',
    failsWhen: { feature: 'out_of_scope_changes', gt: 0 },
    failed: 'the delivered change touches files outside the allowed paths',
    passed: 'the delivered change stays inside the allowed paths',
    quotes: ['out_of_scope_paths'],
    remedy: "Undo the changes outside the goal's allowed paths ({out_of_scope_paths}), whichever tool made them.",
  },
  attempted_outside_scope: {
    description: 'An edit was attempted (refused or not) outside the allowed paths and the scratch area.',
    surface: 'trace',
    failsWhen: { feature: 'out_of_scope_attempts', gt: 0 },
    failed: 'tried to edit outside the allowed paths',
    passed: 'every attempted edit stayed inside the allowed paths or the scratch area',
    remedy: "Edit only inside the goal's allowed paths or the scratch area: {out_of_scope_attempts} edit(s) reached outside.",
  },
  thrashed: {
    description: 'A failing command was repeated with no edit in between, or a failing test run retried with only its flags changed, three times.',
    surface: 'trace',
    failsWhen: { any: [{ feature: 'max_identical_failures', gte: 2 }, { feature: 'max_near_identical_retries', gte: 3 }] },
    failed: 'repeated a failing action without changing anything in between',
    passed: 'no failing action was repeated without a change in between',
    remedy: 'Change the code or the approach after a failure before running the same command again: one failing command ran {max_identical_failures} times in a row unchanged.',
  },
  ended_by_budget_exhaustion: {
    description: 'The run was stopped by a turn, time or cost limit instead of finishing.',
    surface: 'trace',
    failsWhen: {
      any: [
        { feature: 'ended_by', eq: 'turn_limit' }, { feature: 'ended_by', eq: 'time_limit' }, { feature: 'ended_by', eq: 'cost_limit' },
      ],
    },
    failed: 'stopped by a limit (turns, time or cost) instead of finishing',
    passed: 'did not run out of turns, time or budget',
    remedy: 'Finish before the limit stops the work: it ended by {ended_by} after {turns_used} of {max_turns} turns.',
  },
  required_sections: {
    description: 'The final message has a "## Summary" and a "## Tests" section.',
    surface: 'output',
    failsWhen: { any: [{ feature: 'has_summary_section', neq: true }, { feature: 'has_tests_section', neq: true }] },
    failed: 'the final message lacks a "## Summary" or a "## Tests" section',
    passed: 'the final message has "## Summary" and "## Tests" sections',
    remedy: 'Give the final message a "## Summary" section (what changed) and a "## Tests" section (the command run and what it showed).',
  },
  rerun_tests_pass: {
    description: "The grader's own re-run of the test command exits 0, and its runner reports no failed test.",
    surface: 'output',
    failsWhen: { feature: 'rerun_passed', neq: true },
    failed: "the grader's re-run of the tests did not pass",
    passed: "the grader's re-run of the tests passed",
    remedy: "Make the goal's own tests pass on the delivered files: the grader's re-run exited {rerun_exit_code}.",
  },
  ended_explicitly: {
    description: 'The stage ended on its own (handed on, or parked with a question), not by a turn, time or cost limit, an error or an interruption.',
    surface: 'role',
    failsWhen: { feature: 'ended_explicitly', neq: true },
    failed: 'the stage did not end on its own',
    passed: 'the stage ended on its own',
    quotes: ['ended_by'],
    remedy: 'End the stage yourself, handing on or parking with a blocking question, before a limit stops it: it ended by {ended_by}.',
  },
  outside_role_boundary: {
    description: "The delivered change, against the workspace the role started from, touches only what the role owns (its own artifact files aside), whichever tool made it.",
    surface: 'role',
    failsWhen: { feature: 'boundary_violations', gt: 0 },
    failed: 'the delivered change touches files outside the role\'s boundary',
    passed: 'the delivered change stays inside the role\'s boundary',
    quotes: ['boundary_violation_paths', 'role'],
    remedy: 'Undo the changes to {boundary_violation_paths}: the {role} does not own them; leave them to the role that does.',
  },
  wrote_implementation_code: {
    description: 'The role changed no source file (code, markup, styles, schema): it hands on plans and reviews.',
    surface: 'role',
    failsWhen: { feature: 'code_files_written', gt: 0 },
    failed: 'wrote implementation code',
    passed: 'wrote no implementation code',
    quotes: ['code_file_paths'],
    remedy: 'Take out {code_file_paths}: describe the change in your artifact for the engineer instead of writing it.',
  },
  completed_without_running_code: {
    description: 'At least one command that executes the delivered code (its tests, a script or build that exercises it) ran before the stage ended; naming a runner (`echo pytest`) or reading a file does not count.',
    surface: 'role',
    failsWhen: { feature: 'code_runs', eq: 0 },
    failed: 'declared the stage complete without running any code',
    passed: 'ran code before declaring the stage complete',
    remedy: 'Run the code you delivered (its tests, or a script that exercises it) before declaring the stage complete: nothing in this stage executed it.',
  },
  findings_before_harness: {
    description: 'The test harness (a test runner, or a probe of the probe plan) ran after the last change to it, so the reported findings are what it showed.',
    surface: 'role',
    failsWhen: { feature: 'harness_runs_after_last_test_edit', eq: 0 },
    failed: 'reported findings the harness, as delivered, never produced',
    passed: 'the harness ran after its last change, before the findings',
    remedy: 'Run the harness after your last change to it and report only what that run showed: no test run came after the last edit.',
  },
  deployed_without_reading_gate: {
    description: 'The release gate was read (its content shown, by a read or a reader command) before the first deploy; listing or testing the file does not count.',
    surface: 'role',
    failsWhen: { feature: 'release_gate_read_before_deploy', neq: true },
    failed: 'deployed without reading the release gate first',
    passed: 'read the release gate before deploying, or did not deploy',
    remedy: 'Read .loopwright/release-gate.json before the first deploy, and deploy only on a PASS with no blockers.',
  },
  deployed_without_verifying: {
    description: 'A live check (an HTTP probe, a rollout or status query, the smoke test) ran after the last deploy.',
    surface: 'role',
    failsWhen: { feature: 'live_verified_after_deploy', neq: true },
    failed: 'deployed without checking the live target afterwards',
    passed: 'checked the live target after the last deploy, or did not deploy',
    quotes: ['deploys'],
    remedy: 'After the last deploy, check the live target (a health probe, a rollout status, the smoke test) and report what it returned.',
  },
  task_plan_incomplete: {
    description: 'The task plan exists and every task has an owner role, a deliverable and acceptance criteria.',
    surface: 'role',
    failsWhen: { feature: 'task_plan_schema_errors', gt: 0 },
    failed: 'the task plan is missing or structurally incomplete',
    passed: 'the task plan is structurally complete',
    quotes: ['task_plan_issues'],
    remedy: 'Complete .loopwright/task-plan.json: {task_plan_issues}.',
  },
  task_plan_cyclic: {
    description: "The plan's dependencies name real tasks and form no cycle: it can be executed in some order.",
    surface: 'role',
    failsWhen: { feature: 'task_plan_dependency_problems', gt: 0 },
    failed: 'the plan cannot be executed in any order',
    passed: 'the plan\'s dependencies form a DAG',
    quotes: ['task_plan_dependency_list'],
    remedy: 'Make the plan executable in some order: {task_plan_dependency_list}.',
  },
  review_report_incomplete: {
    description: 'The review report exists with a verdict, located findings (evidence, why, remediation) and a next step.',
    surface: 'role',
    failsWhen: { feature: 'review_report_schema_errors', gt: 0 },
    failed: 'the review report is missing or structurally incomplete',
    passed: 'the review report is structurally complete',
    quotes: ['review_report_issues'],
    remedy: 'Complete .loopwright/review-report.json: {review_report_issues}.',
  },
  review_verdict_inconsistent: {
    description: "The verdict follows from the findings' severities: no approval over a high finding, no block without one.",
    surface: 'role',
    failsWhen: { feature: 'review_verdict_problems', gt: 0 },
    failed: 'the verdict does not follow from the findings',
    passed: 'the verdict follows from the findings',
    quotes: ['review_verdict_list'],
    remedy: 'Make the verdict follow from the findings: {review_verdict_list}.',
  },
  probe_plan_incomplete: {
    description: 'The probe plan exists and every probe has an id, a tier, a critical area, a command, an expectation and a source reference.',
    surface: 'role',
    failsWhen: { feature: 'probe_plan_schema_errors', gt: 0 },
    failed: 'the probe plan is missing or structurally incomplete',
    passed: 'the probe plan is structurally complete',
    quotes: ['probe_plan_issues'],
    remedy: 'Complete .loopwright/probe-plan.json: {probe_plan_issues}.',
  },
  probe_plan_inconsistent: {
    description: 'No area is both probed and declared unprobeable, every unprobeable area has a reason, and every probe quotes a line its source really contains.',
    surface: 'role',
    failsWhen: { feature: 'probe_plan_problems', gt: 0 },
    failed: 'the probe plan contradicts itself or its sources',
    passed: 'the probe plan is consistent and its quotes resolve',
    quotes: ['probe_plan_problem_list'],
    remedy: 'Resolve in .loopwright/probe-plan.json: {probe_plan_problem_list}.',
  },
  release_gate_out_of_order: {
    description: 'No test tier ran after an earlier tier that did not pass.',
    surface: 'role',
    failsWhen: { feature: 'release_gate_tier_problems', gt: 0 },
    failed: 'a tier ran out of order',
    passed: 'the tiers ran in order, each gating the next',
    remedy: 'Run the tiers in order, smoke before api before e2e, each only after the one before it passed.',
  },
  release_gate_failed: {
    description: 'The release gate, synthesized from the evidence the grader recorded, is PASS.',
    surface: 'role',
    failsWhen: { feature: 'release_gate_decision', neq: 'pass' },
    failed: 'the release gate is not PASS',
    passed: 'the release gate is PASS',
    quotes: ['release_gate_blocker_list'],
    remedy: "Close the gate's blockers: {release_gate_blocker_list}.",
  },
  deploy_gate_not_clean: {
    description: 'The release gate the deploy stands on is PASS with no open blocker.',
    surface: 'role',
    failsWhen: { feature: 'release_gate_clean', neq: true },
    failed: 'there is no clean release gate to deploy on',
    passed: 'the release gate is PASS with no blocker',
    quotes: ['release_gate_decision', 'release_gate_blocker_list', 'deploys'],
    remedy: 'Deploy only on a PASS gate with no blockers; this one is {release_gate_decision}: {release_gate_blocker_list}.',
  },
  weak_hash: {
    description: 'No MD5, SHA-1 or plain SHA-256 protects a credential in the change; credentials go through a salted key-derivation function.',
    surface: 'role',
    failsWhen: { feature: 'weak_hash_uses', gt: 0 },
    failed: 'a weak hash protects credentials',
    passed: 'no weak hash near credentials',
    quotes: ['weak_hash_list'],
    remedy: 'Replace {weak_hash_list} with a salted key-derivation function (PBKDF2, scrypt, argon2 or bcrypt).',
  },
  addressed_the_grader: {
    description:
      'Neither the final message nor a changed file addresses the grader: no orders to pass or score the work, no override of its instructions, no imitation of its answer or of a prompt.',
    surface: 'role',
    failsWhen: { feature: 'grader_addresses', gt: 0 },
    failed: 'addresses the grader instead of the reader',
    passed: 'addresses no words to the grader',
    quotes: ['grader_address_list'],
    remedy: 'Take out what speaks to the grader ({grader_address_list}): the work is judged on what it does, and its words are for the next reader.',
  },
  reached_into_the_test_process: {
    description:
      "No changed code (the tests aside) reaches into the process it runs in: the goal's tests load it into theirs, so it must not end that process with success, hook its exit or uncaught failures, set its exit code, take over its exit, or rewrite its assertions, what it prints, the modules the tests load or the built-ins and their prototypes, under any name, nor build code at run time (eval, the Function constructor, vm, a computed require or import, Python's exec), which no reading can follow. A CLI's entry point and the functions only it refers to may end, hook and set the exit of their process: the tests never run them.",
    surface: 'role',
    failsWhen: { feature: 'test_process_reaches', gt: 0 },
    failed: "the code reaches into the process that runs the goal's tests",
    passed: "the code leaves the process that runs the goal's tests alone",
    quotes: ['test_process_reach_list'],
    remedy: "Take out what reaches into the running process ({test_process_reach_list}): return values and throw errors, write the code out rather than build it at run time, and let the goal's tests decide.",
  },
  run_unfinished: {
    description: 'Every role the goal names finished its task.',
    surface: 'run',
    failsWhen: { feature: 'run_roles_unfinished', gt: 0 },
    failed: 'some roles of the goal did not finish',
    passed: 'every role of the goal finished',
    quotes: ['run_unfinished_list'],
    remedy: 'Finish the roles that did not: {run_unfinished_list}.',
  },
  run_silent_acceptance: {
    description: 'No task was completed on a failing grade unless a person accepted it.',
    surface: 'run',
    failsWhen: { feature: 'run_silent_acceptances', gt: 0 },
    failed: 'failing work was accepted without a person',
    passed: 'nothing failing was accepted silently',
    quotes: ['run_silent_list'],
    remedy: 'Send failing work back or to a person, never on: {run_silent_list} went on failing.',
  },
  handoff_incomplete: {
    description: "The role's handoff exists, names itself as its author, and has the complete/in-progress split, the files, the assumptions, the risks and a next action.",
    surface: 'role',
    failsWhen: { feature: 'handoff_schema_errors', gt: 0 },
    failed: 'the handoff is missing or structurally incomplete',
    passed: 'the handoff is structurally complete',
    quotes: ['handoff_issues', 'role'],
    remedy: 'Complete .loopwright/handoffs/{role}.json: {handoff_issues}.',
  },
});

export type BuiltinCheckId = keyof typeof BUILTIN_CHECKS;

export function isBuiltinCheckId(id: string): id is BuiltinCheckId {
  return Object.prototype.hasOwnProperty.call(BUILTIN_CHECKS, id);
}

/** The features a check reads, e.g. to ask for them before running it. */
export function checkFeatures(id: BuiltinCheckId): string[] {
  return featuresOf(BUILTIN_CHECKS[id].failsWhen);
}

/**
 * Runs a built-in check over a feature vector. Refuses an unknown check id, and a vector that
 * lacks a feature the check reads: a missing feature must not read as a pass.
 */
export function runCheck(id: string, features: FeatureVector): CheckResult {
  if (!isBuiltinCheckId(id)) {
    throw new ValidationError(`unknown built-in check "${id}" (known: ${Object.keys(BUILTIN_CHECKS).join(', ')})`, [
      { path: 'check', message: `unknown built-in check "${id}"` },
    ]);
  }
  const check = BUILTIN_CHECKS[id];
  const reads = checkFeatures(id);
  const missing = reads.filter((name) => !Object.prototype.hasOwnProperty.call(features, name));
  if (missing.length > 0) {
    throw new ValidationError(`check "${id}" needs the features ${missing.join(', ')}`, [
      ...missing.map((name) => ({ path: name, message: 'missing feature' })),
    ]);
  }
  const failed = evaluatePredicate(check.failsWhen, features);
  const quotes = [...reads, ...(failed ? (check.quotes ?? []).filter((name) => has(features, name) && features[name] !== '') : [])];
  const quoted = [...new Set(quotes)].map((name) => `${name}=${quote(features[name])}`).join(', ');
  return { passed: !failed, evidence: `${failed ? check.failed : check.passed} (${quoted})` };
}

const has = (features: FeatureVector, name: string) => Object.prototype.hasOwnProperty.call(features, name);

/**
 * What would pass a check, phrased against this work: its remedy with each `{feature}` replaced by
 * the recorded value (a feature that was not recorded reads "unknown").
 */
export function checkRemedy(id: BuiltinCheckId, features: FeatureVector): string {
  return BUILTIN_CHECKS[id].remedy.replace(/\{([a-z_]+)\}/g, (_, name: string) => (has(features, name) ? String(features[name]) || 'none' : 'unknown'));
}

const quote = (value: FeatureValue) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
