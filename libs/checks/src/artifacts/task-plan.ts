import { z } from 'zod';
import { Role } from '@loopwright/events';
import { Text } from './artifact-files';

/** One task of a plan: an owner role, one reviewable deliverable, the surfaces it changes, its criteria. */
export const PlanTaskSchema = z.object({
  id: Text,
  owner: Role,
  deliverable: Text,
  /** Files or globs the task will change; empty only with `surfacesUnknown` saying why. */
  surfaces: z.array(Text).default([]),
  surfacesUnknown: Text.optional(),
  dependsOn: z.array(Text).default([]),
  acceptance: z.array(Text).min(1, 'a task needs at least one acceptance criterion'),
});

/** What a planner hands on (`.loopwright/task-plan.json`). */
export const TaskPlanSchema = z.object({
  scope: Text,
  tasks: z.array(PlanTaskSchema).min(1, 'a plan needs at least one task'),
  /** Genuine blockers only, each decision-shaped. */
  decisions: z.array(z.object({ topic: Text, whyItMatters: Text, options: z.array(Text).default([]), impact: Text.optional() })).default([]),
  assumptions: z.array(Text).default([]),
  risks: z.array(Text).default([]),
});

export type PlanTask = z.output<typeof PlanTaskSchema>;
export type TaskPlan = z.output<typeof TaskPlanSchema>;

/**
 * Why the plan's dependencies cannot be executed in any order: a task that depends on an unknown
 * id, or the tasks caught in a cycle (as `T2 → T3 → T2`). Empty when the graph is a DAG.
 */
export function dependencyProblems(plan: TaskPlan): string[] {
  const ids = new Set(plan.tasks.map((t) => t.id));
  const problems = plan.tasks.flatMap((t) => t.dependsOn.filter((d) => !ids.has(d)).map((d) => `${t.id} depends on unknown task ${d}`));
  const deps = new Map(plan.tasks.map((t) => [t.id, t.dependsOn.filter((d) => ids.has(d))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(id)), id].join(' → '));
      return;
    }
    state.set(id, 'visiting');
    for (const d of deps.get(id) ?? []) visit(d, [...path, id]);
    state.set(id, 'done');
  };
  for (const id of ids) visit(id, []);
  return [...problems, ...cycles.map((c) => `dependency cycle ${c}`)];
}

/** The surfaces a plan assigns to tasks a role owns: where that role is told to work. */
export function plannedSurfaces(plan: TaskPlan, role: Role): string[] {
  return plan.tasks.filter((t) => t.owner === role).flatMap((t) => t.surfaces);
}
