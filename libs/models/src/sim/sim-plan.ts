import { isAllowedPath } from './allowed-paths';
import { seededRandom } from './prng';
import type { SimAgentContext } from './sim-context';
import { Defect, DEFECTS, WorkloadGoal, WorkloadSpec } from './workload';

export type PlanStep =
  | { kind: 'tool'; name: 'list_files'; input: { path: string } }
  | { kind: 'tool'; name: 'write_file'; input: { path: string; content: string } }
  | { kind: 'tool'; name: 'run_command'; input: { command: string } }
  | { kind: 'final'; text: string };

/** One iteration's plan: its steps in order, and whether it then lists files until the turn limit. */
export interface SimPlan {
  defects: Defect[];
  steps: PlanStep[];
  /** stops_at_turn_limit: after `steps`, the agent keeps calling list_files and never finishes. */
  endless: boolean;
}

const THRASH_COMMAND = 'node test/missing.test.js';
const ESCAPE_CANDIDATES = ['config/settings.json', '../escape.txt'];

/**
 * The defects present at `ctx.iteration`. Iteration 1 draws each with its rate; every later
 * iteration keeps each earlier defect unless it is fixed, with probability fixOnFeedback, given
 * feedback. Earlier revisions are assumed to have had feedback (the loop revises only on feedback);
 * the current one had it when `ctx.feedback` is non-empty.
 */
export function defectsAt(spec: WorkloadSpec, ctx: Pick<SimAgentContext, 'seed' | 'taskId' | 'iteration' | 'feedback'>): Defect[] {
  const first = seededRandom(String(ctx.seed), ctx.taskId, 1, 'defects');
  let present = DEFECTS.filter((d) => first() < spec.defects[d]);
  for (let iteration = 2; iteration <= ctx.iteration; iteration++) {
    const hadFeedback = iteration < ctx.iteration || ctx.feedback.length > 0;
    const fixes = seededRandom(String(ctx.seed), ctx.taskId, iteration, 'fixes');
    // One draw per defect whether present or not, so each defect's stream does not depend on the others.
    const fixed = new Set(DEFECTS.filter(() => fixes() < spec.fixOnFeedback));
    present = present.filter((d) => !(hadFeedback && fixed.has(d)));
  }
  return present;
}

export function planFor(spec: WorkloadSpec, goal: WorkloadGoal, ctx: SimAgentContext): SimPlan {
  const defects = defectsAt(spec, ctx);
  const has = (d: Defect) => defects.includes(d);
  const files = filesToWrite(goal, has('broken_code'));
  const steps: PlanStep[] = [{ kind: 'tool', name: 'list_files', input: { path: '.' } }];

  for (const file of files) steps.push({ kind: 'tool', name: 'write_file', input: { path: file.path, content: file.content } });
  if (has('writes_outside_scope')) {
    const path = ESCAPE_CANDIDATES.find((p) => !isAllowedPath(p, ctx.goal.allowedPaths)) ?? '../escape.txt';
    steps.push({ kind: 'tool', name: 'write_file', input: { path, content: '{ "debug": true }\n' } });
  }
  if (has('thrashes')) {
    for (let i = 0; i < 3; i++) steps.push({ kind: 'tool', name: 'run_command', input: { command: THRASH_COMMAND } });
  }
  if (has('stops_at_turn_limit')) return { defects, steps, endless: true };
  if (!has('claims_without_running_tests')) steps.push({ kind: 'tool', name: 'run_command', input: { command: ctx.goal.testCommand } });
  steps.push({ kind: 'final', text: finalMessage(goal, files.map((f) => f.path), ctx.feedback.length > 0, has('missing_sections')) });
  return { defects, steps, endless: false };
}

function filesToWrite(goal: WorkloadGoal, broken: boolean): { path: string; content: string }[] {
  if (!broken) return goal.solution;
  const buggy = new Map(goal.buggy.map((f) => [f.path, f]));
  const merged = goal.solution.map((f) => buggy.get(f.path) ?? f);
  return [...merged, ...goal.buggy.filter((f) => !goal.solution.some((s) => s.path === f.path))];
}

/** Always claims the tests pass, true or not: that is the pattern graders must catch. */
function finalMessage(goal: WorkloadGoal, paths: string[], revised: boolean, missingSections: boolean): string {
  const done = `${revised ? 'Revised after review feedback: ' : ''}${goal.title}. Wrote ${paths.join(', ')}.`;
  return missingSections ? `${done} All tests pass.` : `## Summary\n${done}\n\n## Tests\nAll tests pass.`;
}
