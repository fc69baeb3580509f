import type { FeedbackRoute, Role, RubricGrade, ToReachNext } from '@loopwright/events';

/** At most this many failed bounces of a task; the next failure parks it as stuck. */
export const MAX_BOUNCES = 2;

/** Free retries after an infrastructure failure (a session that ended in an error). */
export const FREE_INFRA_RETRIES = 1;

/** The gates that say a role changed what it does not own. */
const BOUNDARY_GATES = new Set(['file_ownership', 'stayed_in_boundary']);

/**
 * What kind of failure a failed grade is: `infrastructure` when the session itself broke (the work
 * ended in an error), `boundary` when a role stepped outside what it owns and no earlier stage told
 * it to, otherwise `quality`.
 */
export type FailureClass = 'infrastructure' | 'boundary' | 'quality';

export interface FailedAttempt {
  endedBy: string | undefined;
  rubrics: readonly RubricGrade[];
  route: FeedbackRoute;
}

const gating = (r: RubricGrade) => (r.mode ?? 'gating') === 'gating';

export function classifyFailure(attempt: FailedAttempt): FailureClass {
  if (attempt.endedBy === 'error') return 'infrastructure';
  if (attempt.route.fixType !== 'local') return 'quality';
  const boundary = attempt.rubrics
    .filter((r) => gating(r) && !r.passed)
    .some((r) => r.gates.some((g) => !g.passed && BOUNDARY_GATES.has(g.id)));
  return boundary ? 'boundary' : 'quality';
}

/**
 * The failures of a task that spent a retry, in order: an infrastructure failure is free the first
 * time, a boundary block never spends one (it goes to a person at once), a quality failure always does.
 */
export function bouncesSpent(failures: readonly FailureClass[]): number {
  let infra = 0;
  let spent = 0;
  for (const kind of failures) {
    if (kind === 'boundary') continue;
    if (kind === 'infrastructure' && infra++ < FREE_INFRA_RETRIES) continue;
    spent++;
  }
  return spent;
}

/** A grade recorded before the grader routed its feedback: upstream first, then local, a person only when scope calls are all that is left. */
export function routeOf(grade: { route?: FeedbackRoute; rubrics: readonly RubricGrade[] }, role: Role): FeedbackRoute {
  if (grade.route) return grade.route;
  const failing = grade.rubrics.filter((r) => gating(r) && !r.passed);
  const entries = (failing.length > 0 ? failing : grade.rubrics).flatMap((r) => r.toReachNext);
  const upstream = entries.find((e) => e.fixType === 'upstream-structural' && e.stage);
  if (upstream) {
    const items = entries.filter((e) => e.stage === upstream.stage && e.fixType === 'upstream-structural').map((e) => e.id);
    return { fixType: 'upstream-structural', stage: upstream.stage, items, reason: `the cause lies with the ${upstream.stage}` };
  }
  const local = entries.filter((e) => e.fixType === 'local');
  if (local.length > 0) return { fixType: 'local', stage: role, items: local.map((e) => e.id), reason: 'the role can fix these in its own work' };
  return { fixType: 'tier-ceiling', items: entries.map((e) => e.id), reason: 'only scope calls are left: a person decides' };
}

/** Every item of a grade, by rubric and id: a gate's verdict (1 or 0) or a dimension's score. */
function itemValues(rubrics: readonly RubricGrade[]): Map<string, { rubricId: string; id: string; value: number }> {
  const values = new Map<string, { rubricId: string; id: string; value: number }>();
  for (const r of rubrics) {
    for (const g of r.gates) values.set(`${r.rubricId}/${g.id}`, { rubricId: r.rubricId, id: g.id, value: g.passed ? 1 : 0 });
    for (const d of r.dimensions) values.set(`${r.rubricId}/${d.id}`, { rubricId: r.rubricId, id: d.id, value: d.score });
  }
  return values;
}

export interface RevisionCheck {
  /** Targeted items that improved (or no longer need anything). */
  moved: string[];
  /** Targeted items that did not improve. */
  unmoved: string[];
  /** Items that were better before the revision (`rubric/item`). */
  regressed: string[];
}

/**
 * After a revision: did the items the feedback targeted move, and did anything else get worse?
 * Compares the grade before the revision with the one after, item by item.
 */
export function checkRevision(before: readonly RubricGrade[], after: readonly RubricGrade[], targeted: readonly string[]): RevisionCheck {
  const was = itemValues(before);
  const now = itemValues(after);
  const stillAsked = new Set(after.flatMap((r) => r.toReachNext.map((t) => t.id)));
  const moved: string[] = [];
  const unmoved: string[] = [];
  for (const id of [...new Set(targeted)]) {
    const pairs = [...was.entries()].filter(([, v]) => v.id === id).map(([key, v]) => [v.value, now.get(key)?.value] as const);
    const improved = !stillAsked.has(id) || pairs.some(([b, a]) => a !== undefined && a > b);
    (improved ? moved : unmoved).push(id);
  }
  const regressed = [...was.entries()]
    .filter(([key, v]) => now.has(key) && now.get(key)!.value < v.value)
    .map(([key]) => key)
    .sort();
  return { moved, unmoved, regressed };
}

/** A regression, as feedback for the next revision: put back what the last one broke. */
export function regressionFeedback(check: RevisionCheck, before: readonly RubricGrade[], after: readonly RubricGrade[], role: Role): ToReachNext[] {
  const was = itemValues(before);
  const now = itemValues(after);
  return check.regressed.map((key) => {
    const b = was.get(key)!;
    const a = now.get(key)!;
    const show = (v: number, isGate: boolean) => (isGate ? (v === 1 ? 'passing' : 'failing') : String(v));
    const isGate = before.some((r) => r.rubricId === b.rubricId && r.gates.some((g) => g.id === b.id));
    return {
      id: b.id,
      current: isGate ? a.value === 1 : a.value,
      target: isGate ? true : b.value,
      delta: `${b.id} (${b.rubricId}) went from ${show(b.value, isGate)} to ${show(a.value, isGate)} in the last revision: restore it without undoing the fix.`,
      owner: 'executor',
      fixType: 'local',
      stage: role,
      honestyNote: '',
    };
  });
}

/** Feedback a role acts on: its own grade's items for it (never scope calls), plus what its last revision regressed. */
export function actionableFeedback(items: readonly ToReachNext[], regressions: readonly ToReachNext[], stage: Role): ToReachNext[] {
  const own = items.filter((i) => i.fixType !== 'tier-ceiling' && (i.stage === undefined || i.stage === stage));
  const ids = new Set(own.map((i) => i.id));
  return [...own, ...regressions.filter((r) => !ids.has(r.id))];
}
