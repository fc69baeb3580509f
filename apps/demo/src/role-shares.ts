import { LoopEvent, parseDecisionKey, Role, ROLES, RUN_END_STATUSES } from '@loopwright/events';

/** One role's figures over a demo: who decided its decisions, how its tasks were graded, where its failed grades were sent. */
export interface RoleFigures {
  role: Role;
  decisions: number;
  /** Each tier's share of the role's decisions (spot-checks not counted). */
  share: { frontier: number; resident: number; deterministic: number; human: number };
  tasks: number;
  /** Grades recorded for the role's work, and those that passed. */
  grades: number;
  passed: number;
  /** Grades by the rubrics they carried: the role's artifact and behavior rubrics, the handoff. */
  rubrics: Record<string, number>;
  /** Failed grades by where their feedback went. */
  routes: { local: number; upstream: number; tierCeiling: number };
  /** The items a failed grade's gating rubrics asked for most, with their counts. */
  topFailing: [string, number][];
}

export interface PipelineFigures {
  roles: RoleFigures[];
  /** How the runs ended (`run.ended`), by status. */
  runEnds: Record<(typeof RUN_END_STATUSES)[number], number>;
  /** Items sent back to an earlier stage, by the stage they went to. */
  upstreamTo: Partial<Record<Role, number>>;
  /** Reviews the executor asked a person for: scope calls and boundary blocks. */
  reviews: number;
}

const share = (n: number, total: number) => (total === 0 ? 0 : Math.round((n / total) * 10_000) / 10_000);

/** Folds a demo's events into per-role figures; roles with no task are left out. */
export function pipelineFigures(events: readonly LoopEvent[]): PipelineFigures {
  const byRole = new Map<Role, { tiers: Record<string, number>; tasks: Set<string>; grades: number; passed: number; rubrics: Record<string, number>; routes: RoleFigures['routes']; failing: Map<string, number> }>();
  const of = (role: Role) => {
    let entry = byRole.get(role);
    if (!entry) {
      entry = { tiers: { frontier: 0, resident: 0, deterministic: 0, human: 0 }, tasks: new Set(), grades: 0, passed: 0, rubrics: {}, routes: { local: 0, upstream: 0, tierCeiling: 0 }, failing: new Map() };
      byRole.set(role, entry);
    }
    return entry;
  };
  const runEnds = Object.fromEntries(RUN_END_STATUSES.map((s) => [s, 0])) as PipelineFigures['runEnds'];
  const upstreamTo: PipelineFigures['upstreamTo'] = {};
  let reviews = 0;
  for (const event of events) {
    switch (event.type) {
      case 'decision.completed': {
        if (event.data.shadow) break;
        const { role } = parseDecisionKey(event.data.key);
        if ((ROLES as readonly string[]).includes(role)) of(role as Role).tiers[event.data.tier]++;
        break;
      }
      case 'task.started':
        of(event.data.role).tasks.add(event.data.taskId);
        break;
      case 'grade.recorded': {
        const entry = of(event.data.role);
        entry.grades++;
        if (event.data.passed) entry.passed++;
        for (const r of event.data.rubrics) {
          entry.rubrics[r.rubricId] = (entry.rubrics[r.rubricId] ?? 0) + 1;
          if (r.passed || (r.mode ?? 'gating') !== 'gating') continue;
          for (const t of r.toReachNext) entry.failing.set(`${r.rubricId}/${t.id}`, (entry.failing.get(`${r.rubricId}/${t.id}`) ?? 0) + 1);
        }
        const route = event.data.route;
        if (route?.fixType === 'local') entry.routes.local++;
        if (route?.fixType === 'tier-ceiling') entry.routes.tierCeiling++;
        if (route?.fixType === 'upstream-structural') {
          entry.routes.upstream++;
          if (route.stage) upstreamTo[route.stage] = (upstreamTo[route.stage] ?? 0) + 1;
        }
        break;
      }
      case 'run.ended':
        runEnds[event.data.status]++;
        break;
      case 'review.requested':
        if (event.producer === 'executor') reviews++;
        break;
      default:
        break;
    }
  }
  const roles = ROLES.filter((r) => byRole.has(r)).map((role): RoleFigures => {
    const e = byRole.get(role)!;
    const decisions = Object.values(e.tiers).reduce((a, b) => a + b, 0);
    return {
      role, decisions, tasks: e.tasks.size, grades: e.grades, passed: e.passed, rubrics: e.rubrics, routes: e.routes,
      topFailing: [...e.failing.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5),
      share: { frontier: share(e.tiers['frontier'], decisions), resident: share(e.tiers['resident'], decisions), deterministic: share(e.tiers['deterministic'], decisions), human: share(e.tiers['human'], decisions) },
    };
  });
  return { roles, runEnds, upstreamTo, reviews };
}
