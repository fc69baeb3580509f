// A realistic, seeded event mix for projection tests and the replay benchmark: runs with their
// pipeline, traces, routed decisions (some spot-checked in shadow), grades with corrections,
// reviews, budgets and rule lifecycles, in the proportions a real log has (traces dominate).
import { mulberry32 } from '@loopwright/core';
import { createEvent, LoopEvent, Role, RubricGrade, RunEnded } from '@loopwright/events';

const prng = mulberry32;

export interface ScenarioOptions {
  runs: number;
  seed?: number;
  /** The first run's number, so several scenarios can share one log. */
  firstRun?: number;
  startAt?: Date;
  stepsPerIteration?: number;
}

const GATES = ['ran_tests_before_claim', 'stayed_in_scope', 'no_thrashing'];
const DIMENSIONS = ['correctness', 'clarity', 'test_coverage'];
const DELTAS = [
  'Run the 3 unit tests before claiming they pass',
  'Keep edits inside src/ (touched 2 files outside)',
  'Add a test for the empty input case',
  'Explain the   change in 1 sentence',
];

export function scenarioEvents(options: ScenarioOptions): LoopEvent[] {
  const random = prng(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  let clock = (options.startAt ?? new Date('2026-01-05T08:00:00Z')).getTime();
  const at = (): Date => new Date((clock += 1_000 + Math.floor(random() * 60_000)));
  const events: LoopEvent[] = [];
  const first = options.firstRun ?? 0;

  for (let r = first; r < first + options.runs; r++) {
    const runId = `run-${r}`;
    const roles: Role[] = random() < 0.3 ? ['architect', 'engineer'] : ['engineer'];
    const backend = random() < 0.5 ? 'sim' : 'local';
    const run = { aggregateId: runId, correlationId: runId };
    events.push(createEvent({
      type: 'goal.submitted', ...run, producer: 'submitter', occurredAt: at(),
      data: {
        goalId: runId, title: `Goal ${r}`, description: 'Implement it', roles, allowedPaths: ['src/**'], testCommand: 'npm test',
        budgetUsd: 2 + (r % 3), backend,
      },
    }));
    let failedRun = false;
    for (const role of roles) {
      const taskId = `${runId}-${role}`;
      const iterations = 1 + Math.floor(random() * 3);
      for (let iteration = 1; iteration <= iterations; iteration++) {
        events.push(createEvent({
          type: 'task.started', ...run, producer: 'executor', occurredAt: at(),
          data: { taskId, role, iteration, allowedPaths: ['src/**'], maxTurns: 20 },
        }));
        const steps = options.stepsPerIteration ?? 12;
        for (let step = 0; step < steps; step++) {
          events.push(createEvent({
            type: 'trace.step', ...run, producer: 'executor', occurredAt: at(),
            data: {
              taskId, iteration, step, ...pick([
                { kind: 'read', tool: 'read_file' }, { kind: 'edit', tool: 'write_file' }, { kind: 'command', tool: 'run_command' },
              ] as const),
              input: `src/file-${step}.ts`, output: 'ok'.repeat(1 + (step % 20)), exitCode: 0, durationMs: 40,
            },
          }));
        }
        events.push(...decision(run, 'executor', role, 'draft', undefined, `${taskId}-i${iteration}-draft`));
        events.push(createEvent({
          type: 'work.produced', ...run, producer: 'executor', occurredAt: at(),
          data: {
            workId: `${taskId}-w${iteration}`, taskId, role, iteration, artifactDigest: 'a'.repeat(64), files: ['src/a.ts'],
            claims: { testsPass: true, testsRun: random() < 0.7 }, finalMessage: 'done', testCommand: 'npm test',
            allowedPaths: ['src/**'], endedBy: 'finished', turnsUsed: steps, maxTurns: 20,
          },
        }));
        for (const gate of GATES) events.push(...decision(run, 'grader', role, 'gate', gate, `${taskId}-i${iteration}-${gate}`));
        const last = iteration === iterations;
        const passed = last && random() < 0.85;
        const rubric = rubricGrade(role, passed);
        const gradeId = `${taskId}-g${iteration}`;
        events.push(createEvent({
          type: 'grade.recorded', ...run, producer: 'grader', occurredAt: at(),
          data: {
            gradeId, workId: `${taskId}-w${iteration}`, taskId, role, iteration, passed, overall: rubric[0].overall, rubrics: rubric,
            rerun: { command: 'npm test', exitCode: passed ? 0 : 1, output: '' }, costUsd: 0.02,
          },
        }));
        if (passed) {
          events.push(createEvent({
            type: 'task.completed', ...run, producer: 'executor', occurredAt: at(),
            data: { taskId, role, iterations: iteration, gradeId, overall: rubric[0].overall },
          }));
        } else if (last) {
          const reviewId = `rv-${runId}-${role}`;
          const toReview = random() < 0.5;
          if (toReview) {
            events.push(createEvent({
              type: 'review.requested', aggregateId: reviewId, correlationId: runId, producer: 'executor', occurredAt: at(),
              data: { reviewId, runId, taskId, reason: 'iterations-exhausted', summary: `${role} did not pass`, items: GATES },
            }));
          }
          events.push(createEvent({
            type: 'task.failed', ...run, producer: 'executor', occurredAt: at(),
            data: { taskId, role, iterations: iteration, reason: 'iterations exhausted', ...(toReview ? { reviewId } : {}) },
          }));
          if (!toReview) {
            events.push(ended(runId, roles, role, 'stuck'));
            failedRun = true;
            continue;
          }
          events.push(ended(runId, roles, role, 'blocked-on-questions', reviewId));
          const resolution = pick(['accept', 'reject'] as const);
          events.push(createEvent({
            type: 'review.resolved', aggregateId: reviewId, correlationId: runId, producer: 'submitter', occurredAt: at(),
            data: { reviewId, resolution, by: 'ana' },
          }));
          // As the executor does: an accepted task completes and the pipeline goes on; a rejected one is stuck.
          if (resolution === 'accept') {
            events.push(createEvent({
              type: 'task.completed', ...run, producer: 'executor', occurredAt: at(),
              data: { taskId, role, iterations: iteration, gradeId, overall: rubric[0].overall },
            }));
          } else {
            events.push(ended(runId, roles, role, 'stuck'));
            failedRun = true;
          }
        }
      }
      if (failedRun) break;
    }
    if (!failedRun) events.push(ended(runId, roles, undefined, 'done'));
    if (r % 10 === 9) {
      events.push(createEvent({
        type: 'budget.exhausted', aggregateId: `goal-${runId}`, correlationId: runId, producer: 'router', occurredAt: at(),
        data: { scope: 'goal', scopeId: runId, limitUsd: 2, spentUsd: 1.9, reservedUsd: 0.2, decisionId: `${runId}-x` },
      }));
    }
    if (r % 20 === 19) events.push(...ruleLifecycle(`rule-${r}`, at));
  }
  return events;

  /** run.ended as the executor publishes it: the roles before `at` completed, `at` in the state the status gives it, the rest blocked. */
  function ended(runId: string, roles: readonly Role[], stoppedAt: Role | undefined, status: RunEnded['status'], reviewId?: string): LoopEvent {
    const stopped = stoppedAt === undefined ? roles.length : roles.indexOf(stoppedAt);
    const tasks = roles.map((role, i) => ({
      role, status: i < stopped ? ('completed' as const) : i > stopped ? ('blocked' as const) : status === 'stuck' ? ('stuck' as const) : ('review' as const),
    }));
    return createEvent({
      type: 'run.ended', aggregateId: runId, correlationId: runId, producer: 'executor', occurredAt: at(),
      data: { runId, status, reason: `the run ended ${status}`, tasks, ...(reviewId ? { reviewId } : {}) },
    });
  }

  function decision(
    run: { aggregateId: string; correlationId: string },
    requester: 'executor' | 'grader',
    role: Role,
    kind: string,
    item: string | undefined,
    decisionId: string,
  ): LoopEvent[] {
    const key = `${requester}:${role}:${kind}${item ? `:${item}` : ''}`;
    const roll = random();
    const tier = roll < 0.5 ? 'frontier' : roll < 0.8 ? 'resident' : 'deterministic';
    const shadow = tier !== 'frontier' && random() < 0.2;
    const cost = tier === 'frontier' ? 0.01 + random() * 0.05 : tier === 'resident' ? 0.001 : 0;
    const out: LoopEvent[] = [
      createEvent({
        type: 'decision.requested', ...run, producer: requester, occurredAt: at(),
        data: {
          decisionId, key, requester, role, kind, ...(item ? { item } : {}), estimatedUsd: 0.03,
          features: { test_runs: Math.floor(random() * 4), claims_tests_pass: random() < 0.6, turns_used: Math.floor(random() * 20) },
        },
      }),
      createEvent({
        type: 'decision.routed', ...run, producer: 'router', occurredAt: at(),
        data: { decisionId, key, tier, reason: `policy:${tier}`, reservedUsd: cost, shadow },
      }),
      createEvent({
        type: 'decision.completed', ...run, producer: requester, occurredAt: at(),
        data: {
          decisionId, key, tier, verdict: random() < 0.7 ? 'pass' : 'fail', confidence: Math.round(random() * 100) / 100,
          costUsd: cost, tokens: { input: 800, output: 120 }, latencyMs: 50 + Math.floor(random() * 900),
        },
      }),
    ];
    if (shadow) {
      out.push(createEvent({
        type: 'decision.completed', ...run, producer: requester, occurredAt: at(),
        data: {
          decisionId, key, tier: 'frontier', verdict: random() < 0.7 ? 'pass' : 'fail', confidence: 0.9, costUsd: 0.03,
          tokens: { input: 900, output: 150 }, latencyMs: 1_200, shadow: true,
        },
      }));
    }
    return out;
  }

  function rubricGrade(role: Role, passed: boolean): RubricGrade[] {
    const gates = GATES.map((id) => ({
      id, passed: passed || random() < 0.6, evidence: `checked ${id}`, tier: pick(['frontier', 'deterministic'] as const),
      severity: 'critical' as const,
    }));
    const dimensions = DIMENSIONS.map((id) => ({
      id, score: passed ? 4 + Math.floor(random() * 2) : 1 + Math.floor(random() * 4), evidence: `read ${id}`, reasoning: 'because',
      tier: 'frontier' as const,
    }));
    const toReachNext = [
      ...gates.filter((g) => !g.passed).map((g) => ({ id: g.id, current: false, target: true })),
      ...dimensions.filter((d) => d.score < 5).map((d) => ({ id: d.id, current: d.score, target: d.score + 1 })),
    ].map((entry) => ({
      ...entry, delta: pick(DELTAS).replace('3', String(1 + Math.floor(random() * 9))), owner: 'executor' as const,
      fixType: pick(['local', 'local', 'upstream-structural', 'tier-ceiling'] as const), honestyNote: '',
    }));
    const overall = passed ? 0.75 + random() * 0.25 : random() * 0.6;
    return [{
      rubricId: `${role}-output`, rubricVersion: 1, surface: 'output', gates, dimensions, notScored: [], toReachNext,
      weightedAvg: 1 + overall * 4, overall, capsApplied: [], passed,
    }];
  }

  function ruleLifecycle(ruleId: string, now: () => Date): LoopEvent[] {
    const rule = { aggregateId: ruleId, producer: 'miner' as const };
    const key = 'grader:engineer:gate:ran_tests_before_claim';
    const predicate = { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'test_runs', eq: 0 }] };
    const out: LoopEvent[] = [
      createEvent({
        type: 'rule.proposed', ...rule, occurredAt: now(),
        data: {
          ruleId, kind: 'deterministic', key, role: 'engineer', predicate, verdictWhenTrue: 'fail', verdictWhenFalse: 'pass',
          evidence: { support: 40, precision: 0.97, recall: 0.9, exampleEventIds: [] }, scopeCall: false,
        },
      }),
      createEvent({
        type: 'rule.validated', ...rule, occurredAt: now(),
        data: { ruleId, golden: { checked: 12, changed: [] }, history: { precision: 0.97, recall: 0.9, n: 40 } },
      }),
      createEvent({ type: 'rule.approved', aggregateId: ruleId, producer: 'submitter', occurredAt: now(), data: { ruleId, by: 'ana' } }),
      createEvent({
        type: 'rule.promoted', ...rule, occurredAt: now(),
        data: { ruleId, key, tier: 'deterministic', predicate, verdictWhenTrue: 'fail', verdictWhenFalse: 'pass' },
      }),
    ];
    if (random() < 0.5) {
      out.push(createEvent({
        type: 'rule.demoted', ...rule, occurredAt: now(),
        data: { ruleId, key, reason: 'disagreement over threshold', disagreement: 0.2, n: 30 },
      }));
    }
    return out;
  }
}
