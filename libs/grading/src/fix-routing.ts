import { evaluatePredicate, FeatureVector } from '@loopwright/checks';
import { FeedbackRoute, Role, ROLES, RubricGrade, ToReachNext } from '@loopwright/events';
import type { Route, RubricDefinition } from '@loopwright/rubrics';

/** The roles of a goal, in pipeline order: planner → architect → engineer, designer → tester → deployer. */
export function pipelineOf(goal: { roles: readonly Role[] }): Role[] {
  return ROLES.filter((role) => goal.roles.includes(role));
}

/** What the grader knows when it routes feedback: whose work it is, the goal's pipeline, the record. */
export interface RoutingContext {
  role: Role;
  pipeline: readonly Role[];
  features: FeatureVector;
}

const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

const SCOPE = 'Raising it means changing the scope of the work, which a person decides; another iteration will not.';

/** The stage a route names: a role, or the role a recorded feature names (`goal` when none may act). */
function stageOf(route: Route, features: FeatureVector): string {
  if (!route.stage) return 'goal';
  return typeof route.stage === 'string' ? route.stage : String(features[route.stage.feature] ?? 'goal');
}

/**
 * Decides where one feedback entry goes, per case, from the item's routes and the recorded
 * features: the first route that holds decides; none holding, the fix is `local` to the role that
 * did the work. An upstream route goes to its stage only when that stage comes earlier in this
 * goal's pipeline; a cause that no stage of the pipeline owns (the goal itself) is a scope call
 * for a person. The honesty note is filled only for a scope call or an item that can be gamed.
 */
export function routeEntry(entry: ToReachNext, routes: readonly Route[], context: RoutingContext): ToReachNext {
  const local: ToReachNext = { ...entry, fixType: 'local', owner: 'executor', stage: context.role };
  const route = routes.find((r) => !r.when || evaluatePredicate(r.when, context.features));
  if (!route) return local;
  const gaming = entry.honestyNote ? ` ${entry.honestyNote}` : '';
  if (route.fixType === 'tier-ceiling') {
    return { ...entry, fixType: 'tier-ceiling', owner: 'human', stage: undefined, honestyNote: `A scope call: ${route.because}. ${SCOPE}${gaming}` };
  }
  const stage = stageOf(route, context.features);
  if (stage === context.role) return local;
  const here = context.pipeline.indexOf(context.role);
  if (isRole(stage) && context.pipeline.includes(stage) && context.pipeline.indexOf(stage) < here) {
    return { ...entry, fixType: 'upstream-structural', owner: 'executor', stage, delta: `${entry.delta} (The cause lies with the ${stage}: ${route.because}.)` };
  }
  const who = isRole(stage) ? `the ${stage}, which this goal's pipeline has no earlier stage for` : 'the goal itself';
  return { ...entry, fixType: 'tier-ceiling', owner: 'human', stage: undefined, honestyNote: `A scope call: ${route.because}, and the cause lies with ${who}. ${SCOPE}${gaming}` };
}

/** Routes every entry of a rubric's grade by its item's routes. */
export function routeFeedback(rubric: RubricDefinition, grade: RubricGrade, context: RoutingContext): RubricGrade {
  const routesOf = new Map([...rubric.gates, ...rubric.dimensions].map((item) => [item.id, item.routes]));
  return { ...grade, toReachNext: grade.toReachNext.map((entry) => routeEntry(entry, routesOf.get(entry.id) ?? [], context)) };
}

const PIPELINE_RANK = (pipeline: readonly Role[]) => (stage: Role | undefined) => (stage ? pipeline.indexOf(stage) : Number.MAX_SAFE_INTEGER);

/**
 * Where a grade's feedback goes as a whole, from the entries of its gating rubrics that failed: to
 * the earliest stage that owns an upstream cause (fixing locally first would be futile); else back
 * to the same role; and to a person only when scope calls are all that is left.
 */
export function feedbackRoute(rubrics: readonly RubricGrade[], pipeline: readonly Role[]): FeedbackRoute {
  const failing = rubrics.filter((r) => (r.mode ?? 'gating') === 'gating' && !r.passed);
  if (failing.length === 0) return { fixType: 'none', items: [], reason: 'every gating rubric passed' };
  const entries = failing.flatMap((r) => r.toReachNext);
  const upstream = entries.filter((e) => e.fixType === 'upstream-structural');
  if (upstream.length > 0) {
    const rank = PIPELINE_RANK(pipeline);
    const stage = upstream.map((e) => e.stage).sort((a, b) => rank(a) - rank(b))[0];
    const items = upstream.filter((e) => e.stage === stage).map((e) => e.id);
    return { fixType: 'upstream-structural', stage, items, reason: `the cause of ${items.join(', ')} lies with the ${stage}` };
  }
  const local = entries.filter((e) => e.fixType === 'local');
  if (local.length > 0) return { fixType: 'local', stage: local[0].stage, items: local.map((e) => e.id), reason: 'the role can fix these in its own work' };
  const ceiling = entries.filter((e) => e.fixType === 'tier-ceiling');
  if (ceiling.length > 0) return { fixType: 'tier-ceiling', items: ceiling.map((e) => e.id), reason: 'only scope calls are left: a person decides' };
  const missing = failing.flatMap((r) => r.missing ?? []);
  return { fixType: 'tier-ceiling', items: missing, reason: `no usable verdict for ${missing.join(', ') || 'some items'}: a person decides` };
}
