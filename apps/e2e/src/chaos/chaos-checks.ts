import type { LoopEvent } from '@loopwright/events';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

const count = <T>(items: readonly T[], key: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

/** Events seen once each: the same event read twice (one id) is one event. */
function distinct(events: readonly LoopEvent[]): LoopEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && seen.add(e.id));
}

/**
 * What must hold of every run after the faults, from the log alone: it ended, each piece of work was
 * graded exactly once, each routed decision completed exactly once, and its spend stayed within its budget.
 */
export function checkRuns(runs: ReadonlyMap<string, readonly LoopEvent[]>): CheckResult[] {
  const unended: string[] = [];
  const gradeCounts: string[] = [];
  const completionCounts: string[] = [];
  const overBudget: string[] = [];
  let works = 0;
  let decisions = 0;
  for (const [runId, all] of runs) {
    const events = distinct(all);
    if (!events.some((e) => e.type === 'run.graded')) unended.push(runId);
    const grades = count(events.filter((e) => e.type === 'grade.recorded'), (e) => (e.type === 'grade.recorded' ? e.data.workId : ''));
    for (const work of new Set(events.flatMap((e) => (e.type === 'work.produced' ? [e.data.workId] : [])))) {
      works++;
      if ((grades.get(work) ?? 0) !== 1) gradeCounts.push(`${work}: ${grades.get(work) ?? 0}`);
    }
    const completed = count(
      events.filter((e) => e.type === 'decision.completed' && !e.data.shadow),
      (e) => (e.type === 'decision.completed' ? e.data.decisionId : ''),
    );
    for (const routed of events) {
      if (routed.type !== 'decision.routed' || routed.data.tier === 'human') continue;
      decisions++;
      const n = completed.get(routed.data.decisionId) ?? 0;
      // a decision whose run ended by budget mid-way may never complete, but never twice
      if (n > 1 || (n === 0 && !events.some((e) => e.type === 'task.failed'))) completionCounts.push(`${routed.data.decisionId}: ${n}`);
    }
    const goal = events.find((e) => e.type === 'goal.submitted');
    const spent = events.reduce((sum, e) => sum + (e.type === 'decision.completed' ? e.data.costUsd : 0), 0);
    if (goal?.type === 'goal.submitted' && spent > goal.data.budgetUsd + 1e-9) overBudget.push(`${runId}: $${spent.toFixed(4)} of $${goal.data.budgetUsd}`);
  }
  const list = (items: string[]) => items.slice(0, 5).join(', ') + (items.length > 5 ? `, … (${items.length})` : '');
  return [
    { name: 'every run ended', ok: unended.length === 0, detail: unended.length ? `not ended: ${list(unended)}` : `${runs.size} runs` },
    { name: 'exactly one grade per piece of work', ok: gradeCounts.length === 0, detail: gradeCounts.length ? list(gradeCounts) : `${works} works` },
    { name: 'every decision completed exactly once', ok: completionCounts.length === 0, detail: completionCounts.length ? list(completionCounts) : `${decisions} decisions` },
    { name: 'no budget exceeded', ok: overBudget.length === 0, detail: overBudget.length ? list(overBudget) : `${runs.size} budgets` },
  ];
}
