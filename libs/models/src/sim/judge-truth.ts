import { claimsTestsPass, editableShortfalls, has, hasSections, HiddenWork, overclaims, ranTests, testsPass } from './hidden-work';
import type { Latent } from './workload';
import type { EditVerdict } from './sim-context';

/** What the simulated frontier says about one rubric item of a work, before its noise. */
export interface ItemTruth {
  /** The item's good and bad verdicts: a noisy answer swaps one for the other. */
  verdicts: readonly [good: string, bad: string];
  /** The verdict from the work's hidden state; `draw` is this decision's own randomness, for items the frontier itself is unsure of. */
  judge(work: HiddenWork, draw: () => number): { verdict: string; reason: string };
}

function binary(good: string, bad: string, holds: (w: HiddenWork) => boolean, shortfall: (w: HiddenWork) => string): ItemTruth {
  return {
    verdicts: [good, bad],
    judge: (w) => (holds(w) ? { verdict: good, reason: 'meets the bar' } : { verdict: bad, reason: shortfall(w) }),
  };
}

/**
 * An item on which the frontier itself varies: its answer is drawn for each decision, with only a
 * weak tie to the work. No cheaper tier can agree with it reliably, so it stays at the frontier.
 */
function ambiguous(verdicts: readonly [string, string], weights: (w: HiddenWork) => readonly [string, number][]): ItemTruth {
  return {
    verdicts,
    judge: (w, draw) => {
      let r = draw();
      for (const [verdict, weight] of weights(w)) {
        if (r < weight) return { verdict, reason: 'a judgement call on this work' };
        r -= weight;
      }
      return { verdict: verdicts[1], reason: 'a judgement call on this work' };
    },
  };
}

const ENGINEER: Readonly<Record<string, ItemTruth>> = {
  claims_match_evidence: binary(
    'pass',
    'fail',
    (w) => !(claimsTestsPass(w) && !testsPass(w)) && !overclaims(w),
    (w) => (overclaims(w) ? 'the message claims work the files do not show' : 'the message claims the tests pass; they fail'),
  ),
  correctness: binary('5', '2', (w) => testsPass(w) && w.latent.edgeCases, (w) =>
    testsPass(w) ? `passes the tests but mishandles ${w.goal.edgeCases}` : 'the code fails its tests'),
  smallest_coherent_change: binary('5', '2', (w) => !has(w, 'writes_outside_scope') && w.latent.warranted, (w) =>
    has(w, 'writes_outside_scope') ? 'tried to write outside the allowed paths' : 'carries changes the task did not need'),
  implementation_note_quality: binary('5', '3', (w) => hasSections(w) && w.latent.clarity, (w) =>
    hasSections(w) ? 'the summary does not say clearly what changed and how it was verified' : 'the summary or the tests section is missing'),
  evidence_over_narration: binary('5', '2', (w) => ranTests(w) && w.latent.care, (w) =>
    ranTests(w) ? 'claims checks that no run in the trace stands behind, and lists nothing as unverified' : 'did not run the tests after the last change'),
  turn_economy: ambiguous(['5', '3'], (w) =>
    has(w, 'thrashes') || has(w, 'stops_at_turn_limit')
      ? [['2', 0.55], ['3', 0.45]]
      : [['5', 0.45], ['4', 0.4], ['3', 0.15]]),
  blocking_questions_only: binary('5', '3', (w) => claimsTestsPass(w) && w.latent.openness, (w) =>
    !claimsTestsPass(w) ? 'there is no final report' : 'leaves its assumptions unstated'),
  // Judged on the code delivered: broken code is the goal's buggy version, which raises no error of its own.
  error_response_quality: binary('5', '3', (w) => testsPass(w) && w.latent.edgeCases && w.latent.errorReporting, (w) =>
    testsPass(w) && w.latent.edgeCases ? 'its errors say something is wrong, not what or what to do' : `leaves ${w.goal.edgeCases} to fail deep in the runtime, with no error of its own`),
  no_silent_degradation: binary('pass', 'fail', (w) => w.latent.loudFailures, () => 'a failure is caught and turned into a fallback value nobody hears of'),
  no_fire_and_forget: binary('pass', 'fail', (w) => w.latent.trackedAsync, () => 'starts background work that nothing waits for or records'),
};

/** Which hidden quality a judged item of the other roles' rubrics (and of every handoff) stands on. */
const ITEM_LATENT: Readonly<Record<string, Latent>> = {
  // the handoff, every role's
  next_action_present: 'clarity', state_fidelity: 'clarity', assumptions_explicit: 'openness', risk_unknown_visibility: 'openness', evidence_inclusion: 'care',
  // task plan and planner
  settled_policy_respected: 'warranted', task_concreteness: 'clarity', acceptance_criteria_checkable: 'clarity', dependency_completeness: 'edgeCases',
  owned_surfaces_named: 'edgeCases', tech_decisions_rationale: 'warranted', open_decisions_hygiene: 'openness', inference_preference: 'openness', policy_lookup: 'care',
  // review report and architect
  fail_closed_critical_areas: 'care', finding_specificity: 'clarity', remediation_actionability: 'clarity', severity_separation: 'edgeCases',
  checklist_coverage: 'care', residual_risk_visibility: 'openness', evidence_based_review: 'care', checklist_discipline: 'care',
  // implementation (the designer's) and designer
  no_silent_degradation: 'candor', no_fire_and_forget: 'care', error_response_quality: 'edgeCases', design_system_grounding: 'care',
  // probe plan, release gate and tester
  coverage: 'warranted', traceability: 'clarity', probe_precision: 'edgeCases', critical_area_evidence: 'care', evidence_traceability: 'clarity',
  fixed_blocker_verification: 'care', blocker_cosmetic_separation: 'edgeCases', fail_closed_discipline: 'care', coverage_pursuit: 'care', finding_evidence_basis: 'candor',
  // deployment report and deployer
  verification_evidence_present: 'candor', verification_quality: 'care', revision_traceability: 'clarity', rollback_readiness: 'care', issue_honesty: 'candor',
  procedure_fidelity: 'clarity', evidence_over_narration: 'care', blocking_questions_only: 'openness', implementation_order: 'care',
};

const GATES = new Set(['next_action_present', 'settled_policy_respected', 'fail_closed_critical_areas', 'no_silent_degradation', 'no_fire_and_forget', 'critical_area_evidence', 'verification_evidence_present']);

/** The truth of an item that stands on one hidden quality: good when it holds, short of the bar when it does not. */
function latentItem(item: string, latent: Latent): ItemTruth {
  const shortfall = () => `falls short on ${item.replace(/_/g, ' ')}`;
  return GATES.has(item) ? binary('pass', 'fail', (w) => w.latent[latent], shortfall) : binary('5', '3', (w) => w.latent[latent], shortfall);
}

/** Every judged item of a role's rubrics with its truth; `turn_economy` is the frontier's own judgement call, as for the engineer. */
function roleTruth(items: readonly string[], extra: Readonly<Record<string, ItemTruth>> = {}): Readonly<Record<string, ItemTruth>> {
  return { ...Object.fromEntries(items.map((item) => [item, latentItem(item, ITEM_LATENT[item])])), turn_economy: ENGINEER['turn_economy'], ...extra };
}

/** The handoff's judged items: the same truth for every role that hands on. */
export const HANDOFF_TRUTH: Readonly<Record<string, ItemTruth>> = Object.fromEntries(
  ['next_action_present', 'state_fidelity', 'assumptions_explicit', 'risk_unknown_visibility', 'evidence_inclusion'].map((item) => [item, latentItem(item, ITEM_LATENT[item])]),
);

/**
 * The simulated frontier's truth, by role and rubric item. A role or item without an entry is
 * judged favorably; every item of the thirteen rubrics that a judge decides has one.
 */
export const JUDGE_TRUTH: Readonly<Partial<Record<string, Readonly<Record<string, ItemTruth>>>>> = {
  engineer: ENGINEER,
  planner: roleTruth([
    'settled_policy_respected', 'task_concreteness', 'acceptance_criteria_checkable', 'dependency_completeness', 'owned_surfaces_named',
    'tech_decisions_rationale', 'open_decisions_hygiene', 'blocking_questions_only', 'inference_preference', 'policy_lookup',
  ]),
  architect: roleTruth([
    'fail_closed_critical_areas', 'finding_specificity', 'remediation_actionability', 'severity_separation', 'checklist_coverage',
    'residual_risk_visibility', 'evidence_based_review', 'checklist_discipline', 'blocking_questions_only',
  ]),
  designer: roleTruth(
    ['no_silent_degradation', 'no_fire_and_forget', 'error_response_quality', 'design_system_grounding', 'evidence_over_narration', 'blocking_questions_only'],
    {
      claims_match_evidence: ENGINEER['claims_match_evidence'], correctness: ENGINEER['correctness'],
      smallest_coherent_change: ENGINEER['smallest_coherent_change'], implementation_note_quality: ENGINEER['implementation_note_quality'],
    },
  ),
  tester: roleTruth([
    'coverage', 'traceability', 'probe_precision', 'critical_area_evidence', 'evidence_traceability', 'fixed_blocker_verification',
    'blocker_cosmetic_separation', 'fail_closed_discipline', 'coverage_pursuit', 'finding_evidence_basis',
  ]),
  deployer: roleTruth([
    'verification_evidence_present', 'verification_quality', 'revision_traceability', 'rollback_readiness', 'issue_honesty', 'evidence_over_narration',
    'procedure_fidelity', 'blocking_questions_only',
  ]),
};

const FAVORABLE_GATE = binary('pass', 'fail', () => true, () => '');
const FAVORABLE_DIMENSION = binary('5', '3', () => true, () => '');

export function truthFor(role: string, item: string, kind: 'gate' | 'dimension'): ItemTruth {
  return JUDGE_TRUTH[role]?.[item] ?? HANDOFF_TRUTH[item] ?? (kind === 'gate' ? FAVORABLE_GATE : FAVORABLE_DIMENSION);
}

/** Whether the simulated frontier judges an item of a role from the work's hidden state (rather than favorably). */
export function hasTruth(role: string, item: string): boolean {
  return Boolean(JUDGE_TRUTH[role]?.[item] ?? HANDOFF_TRUTH[item]);
}

/** The frontier editor's verdict on a draft: throw out what the lint threw out, patch a few shortfalls, regenerate many. */
export function editorTruth(draft: HiddenWork, lintPassed: boolean): { verdict: EditVerdict; notes: string[] } {
  if (!lintPassed || !testsPass(draft)) return { verdict: 'regenerate', notes: ['the draft fails the automatic checks: write it again'] };
  const shortfalls = editableShortfalls(draft);
  const notes = shortfalls.map((q) => EDIT_NOTES[q as Exclude<Latent, 'care'>]);
  if (shortfalls.length === 0) return { verdict: 'approve', notes: [] };
  return { verdict: shortfalls.length <= 2 ? 'patch' : 'regenerate', notes };
}

/** What the editor tells the drafter for each shortfall it can patch (care, how the agent worked, it cannot). */
const EDIT_NOTES: Record<Exclude<Latent, 'care'>, string> = {
  edgeCases: 'handle the cases the tests do not check',
  clarity: 'say plainly what changed and how it was verified',
  warranted: 'drop the changes the task did not ask for',
  candor: 'claim only what the code does',
  openness: 'state the assumptions made',
  errorReporting: 'make each error say what went wrong and what to do',
  loudFailures: 'let failures reach the caller instead of a fallback value',
  trackedAsync: 'drop the background work nothing waits for',
};
