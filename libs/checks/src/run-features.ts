import type { Role } from '@loopwright/events';

/** One item a grade fed back: its id, how it was routed, and where it stood (a gate's verdict, a score). */
export interface FedBackItem {
  id: string;
  fixType: 'local' | 'upstream-structural' | 'tier-ceiling';
  current: number | boolean;
}

/** One graded iteration of a task: whether its gating rubrics passed, and what they fed back. */
export interface GradedIteration {
  iteration: number;
  passed: boolean;
  items: readonly FedBackItem[];
}

/** A run as the run rubric reads it: the pipeline, and each task's graded iterations and end. */
export interface RunSummary {
  pipeline: readonly Role[];
  tasks: readonly {
    role: Role;
    iterations: readonly GradedIteration[];
    outcome: 'completed' | 'failed' | 'running';
    /** A person accepted the work through a review. */
    acceptedByPerson: boolean;
  }[];
}

/** Whether an item stands better in `next` than in `before` (gone from the feedback counts as better). */
function moved(before: FedBackItem, next: readonly FedBackItem[]): boolean {
  const after = next.find((i) => i.id === before.id);
  if (!after) return true;
  if (typeof before.current === 'boolean' || typeof after.current === 'boolean') return after.current === true && before.current === false;
  return after.current > before.current;
}

function regressed(before: readonly FedBackItem[], after: FedBackItem): boolean {
  const was = before.find((i) => i.id === after.id);
  if (!was) return true;
  if (typeof was.current === 'number' && typeof after.current === 'number') return after.current < was.current;
  return was.current === true && after.current === false;
}

/**
 * The features of a whole run: did every role finish, was anything failing accepted without a
 * person, did each revision move what it was told to move without regressing anything else, how
 * many iterations beyond the first, and how many iterations were spent on scope calls.
 */
export function computeRunFeatures(run: RunSummary): Record<string, number | boolean | string> {
  let fedBack = 0;
  let movedItems = 0;
  let regressions = 0;
  let ceilingLoops = 0;
  for (const task of run.tasks) {
    task.iterations.forEach((graded, i) => {
      const next = task.iterations[i + 1];
      if (!next) return;
      const actionable = graded.items.filter((item) => item.fixType !== 'tier-ceiling');
      if (!graded.passed && actionable.length === 0 && graded.items.length > 0) ceilingLoops++;
      fedBack += actionable.length;
      movedItems += actionable.filter((item) => moved(item, next.items)).length;
      regressions += next.items.filter((item) => regressed(graded.items, item)).length;
    });
  }
  const completed = new Set(run.tasks.filter((t) => t.outcome === 'completed').map((t) => t.role));
  const unfinished = run.pipeline.filter((role) => !completed.has(role));
  const silent = run.tasks.filter((t) => t.outcome === 'completed' && !t.acceptedByPerson && t.iterations.at(-1)?.passed === false);
  return {
    run_roles_unfinished: unfinished.length,
    run_unfinished_list: unfinished.join(', '),
    run_silent_acceptances: silent.length,
    run_silent_list: silent.map((t) => t.role).join(', '),
    run_feedback_items: fedBack,
    run_feedback_moved_ratio: fedBack === 0 ? 1 : Math.round((movedItems / fedBack) * 1000) / 1000,
    run_regressions: regressions,
    run_extra_iterations: run.tasks.reduce((n, t) => n + Math.max(0, t.iterations.length - 1), 0),
    run_tier_ceiling_loops: ceilingLoops,
  };
}

export const RUN_FEATURE_NAMES = [
  'run_roles_unfinished', 'run_unfinished_list', 'run_silent_acceptances', 'run_silent_list', 'run_feedback_items',
  'run_feedback_moved_ratio', 'run_regressions', 'run_extra_iterations', 'run_tier_ceiling_loops',
] as const;
