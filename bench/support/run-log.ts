import { createHash, randomBytes } from 'node:crypto';
import { catalog, EventData, EventType, LoopEvent, Producer, stepKindOfTool, Tier, uuidv7 } from '@loopwright/events';

/**
 * Realistic runs for the benchmarks: an engineer task graded twice (a failed draft, then a passing
 * or failing revision), with trace steps the bulk of the log as they are in real runs. Events are
 * built as envelopes directly (no per-event schema parse here): the log validates them on append.
 */

const ITERATIONS = 2;
const TRACE_STEPS_PER_ITERATION = 60;
const EXECUTOR_DECISIONS_PER_ITERATION = 1;

const GATES = ['ran_tests_before_claim', 'stayed_in_scope', 'no_thrashing', 'finished_within_turns'] as const;
const DIMENSIONS = ['correctness', 'test_coverage', 'clarity', 'scope_discipline', 'communication'] as const;
/** Keys whose decisions a mined rule or resident model already took over, and at which tier. */
const RETIRED: Record<string, Tier> = {
  'grader:engineer:gate:ran_tests_before_claim': 'deterministic',
  'grader:engineer:gate:stayed_in_scope': 'deterministic',
  'grader:engineer:dimension:clarity': 'resident',
};

const COMMAND_OUTPUTS = [
  'PASS src/slugify.unit.spec.ts\n  slugify\n    ✓ lowercases (3 ms)\n    ✓ replaces spaces with dashes (1 ms)\n    ✓ strips punctuation (1 ms)\n\nTest Suites: 1 passed, 1 total\nTests:       3 passed, 3 total\nTime:        1.204 s',
  'FAIL src/slugify.unit.spec.ts\n  ● slugify › strips punctuation\n\n    expect(received).toBe(expected)\n\n    Expected: "hello-world"\n    Received: "hello,-world!"\n\n      12 |   it(\'strips punctuation\', () => {\n    > 13 |     expect(slugify(\'Hello, World!\')).toBe(\'hello-world\');\n\nTests: 1 failed, 2 passed, 3 total',
  'src/index.ts\nsrc/slugify.ts\nsrc/slugify.unit.spec.ts\npackage.json\ntsconfig.json\nREADME.md',
];
const FILE_CONTENT =
  "export function slugify(input: string): string {\n  return input\n    .toLowerCase()\n    .replace(/[^a-z0-9\\s-]/g, '')\n    .trim()\n    .replace(/\\s+/g, '-');\n}\n";
const MODEL_TEXT =
  'I will read the failing test first, then change slugify so punctuation is removed before spaces become dashes, and run the tests again before I claim anything.';

/** A source of the random bytes UUIDv7 ids need, drawn from the OS in bulk. */
class RandomPool {
  private pool = randomBytes(0);
  private offset = 0;
  next10(): Uint8Array {
    if (this.offset + 10 > this.pool.length) {
      this.pool = randomBytes(10 * 8192);
      this.offset = 0;
    }
    const slice = this.pool.subarray(this.offset, this.offset + 10);
    this.offset += 10;
    return slice;
  }
}

export interface RunLogOptions {
  /** occurredAt of the first event; each event is `stepMs` after the one before. */
  startMs?: number;
  stepMs?: number;
  /** Distinguishes the run ids of one generator from another's. */
  prefix?: string;
}

/** Makes runs one after another; `next(n)` hands out the next n events of that sequence. */
export class RunLogGenerator {
  private readonly random = new RandomPool();
  private readonly prefix: string;
  private clockMs: number;
  private readonly stepMs: number;
  private runIndex = 0;
  private pending: LoopEvent[] = [];
  private pendingOffset = 0;
  readonly counts = new Map<EventType, number>();

  constructor(options: RunLogOptions = {}) {
    this.prefix = options.prefix ?? randomBytes(3).toString('hex');
    this.clockMs = options.startMs ?? Date.UTC(2025, 0, 6, 8, 0, 0);
    this.stepMs = options.stepMs ?? 1_500;
  }

  /** Events of one run in this generator's mix: the number is the same for every run. */
  static eventsPerRun(): number {
    return new RunLogGenerator({ prefix: 'probe' }).run().length;
  }

  next(n: number): LoopEvent[] {
    const out: LoopEvent[] = [];
    while (out.length < n) {
      if (this.pendingOffset >= this.pending.length) {
        this.pending = this.run();
        this.pendingOffset = 0;
      }
      const take = Math.min(n - out.length, this.pending.length - this.pendingOffset);
      for (let i = 0; i < take; i++) out.push(this.pending[this.pendingOffset + i]);
      this.pendingOffset += take;
    }
    for (const e of out) this.counts.set(e.type, (this.counts.get(e.type) ?? 0) + 1);
    return out;
  }

  private event<T extends EventType>(type: T, producer: Producer, runId: string, causationId: string | null, data: EventData<T>): LoopEvent {
    this.clockMs += this.stepMs;
    return {
      id: uuidv7(this.clockMs, this.random.next10()),
      type,
      schemaVersion: catalog[type].version,
      aggregate: 'run',
      aggregateId: runId,
      producer,
      correlationId: runId,
      causationId,
      occurredAt: new Date(this.clockMs).toISOString(),
      data,
    } as LoopEvent;
  }

  private run(): LoopEvent[] {
    const n = this.runIndex++;
    const runId = `run-${this.prefix}-${n}`;
    const taskId = `task-${this.prefix}-${n}-engineer`;
    const passes = n % 10 !== 9;
    const events: LoopEvent[] = [];
    const goal = this.event('goal.submitted', 'submitter', runId, null, {
      goalId: `goal-${n % 40}`,
      title: 'Make slugify strip punctuation',
      description: 'slugify("Hello, World!") must return "hello-world"; keep the existing tests passing and add one for punctuation.',
      roles: ['engineer'],
      allowedPaths: ['src/**'],
      testCommand: 'npm test',
      seedFiles: [{ path: 'src/slugify.ts', content: FILE_CONTENT }],
      budgetUsd: 5,
      maxIterations: 3,
      maxTurns: 40,
      backend: 'sim',
      labels: { simGoal: `goal-${n % 40}`, simSeed: 'bench' }, scratchPaths: [],
    });
    events.push(goal);
    let lastGrade: LoopEvent | undefined;
    for (let iteration = 1; iteration <= ITERATIONS; iteration++) {
      const started = this.event('task.started', 'executor', runId, (lastGrade ?? goal).id, {
        taskId, role: 'engineer', iteration, allowedPaths: ['src/**'], maxTurns: 40,
        feedback: iteration === 1 ? [] : [{ id: 'ran_tests_before_claim', delta: 'run the tests before claiming they pass', fixType: 'local' }],
      });
      events.push(started);
      let cause = started.id;
      for (let d = 0; d < EXECUTOR_DECISIONS_PER_ITERATION; d++) {
        cause = this.decision(events, runId, taskId, 'executor', `executor:engineer:draft`, 'draft', undefined, `${n}-${iteration}-draft-${d}`, cause, {});
      }
      for (let step = 0; step < TRACE_STEPS_PER_ITERATION; step++) events.push(this.traceStep(runId, taskId, iteration, step, cause));
      const testsRun = iteration > 1;
      const work = this.event('work.produced', 'executor', runId, cause, {
        workId: `work-${taskId}-${iteration}`, taskId, role: 'engineer', iteration,
        artifactDigest: createHash('sha256').update(`${runId}:${iteration}`).digest('hex'),
        files: ['src/slugify.ts', 'src/slugify.unit.spec.ts'],
        claims: { testsPass: true, testsRun, summary: 'slugify strips punctuation; tests pass', evidence: 'All tests pass.' },
        finalMessage: 'Changed slugify to strip punctuation before replacing spaces, added a test for it. All tests pass.',
        testCommand: 'npm test', allowedPaths: ['src/**'], endedBy: 'finished', turnsUsed: TRACE_STEPS_PER_ITERATION / 2, maxTurns: 40, scratchPaths: [],
      });
      events.push(work);
      const itemVerdicts: { id: string; kind: 'gate' | 'dimension'; passed: boolean; score: number; tier: 'frontier' | 'resident' | 'deterministic' }[] = [];
      for (const gate of GATES) {
        const key = `grader:engineer:gate:${gate}`;
        const passed = gate !== 'ran_tests_before_claim' || testsRun;
        this.decision(events, runId, taskId, 'grader', key, 'gate', gate, `${n}-${iteration}-${gate}`, work.id, { claims_tests_pass: true, test_runs: testsRun ? 1 : 0 });
        itemVerdicts.push({ id: gate, kind: 'gate', passed, score: passed ? 5 : 1, tier: RETIRED[key] ?? 'frontier' });
      }
      for (const dimension of DIMENSIONS) {
        const key = `grader:engineer:dimension:${dimension}`;
        this.decision(events, runId, taskId, 'grader', key, 'dimension', dimension, `${n}-${iteration}-${dimension}`, work.id, {});
        itemVerdicts.push({ id: dimension, kind: 'dimension', passed: true, score: iteration === 1 ? 3 : 4, tier: RETIRED[key] ?? 'frontier' });
      }
      const passed = iteration === ITERATIONS && passes;
      const grade = this.grade(runId, taskId, work, iteration, passed, itemVerdicts);
      events.push(grade);
      lastGrade = grade;
    }
    events.push(
      passes
        ? this.event('task.completed', 'executor', runId, lastGrade!.id, {
            taskId, role: 'engineer', iterations: ITERATIONS, gradeId: (lastGrade!.data as { gradeId: string }).gradeId, overall: 0.81,
          })
        : this.event('task.failed', 'executor', runId, lastGrade!.id, {
            taskId, role: 'engineer', iterations: ITERATIONS, reason: 'iterations exhausted without a passing grade',
          }),
    );
    return events;
  }

  private traceStep(runId: string, taskId: string, iteration: number, step: number, cause: string): LoopEvent {
    const thought = step % 3 === 0;
    const tool = (['read_file', 'write_file', 'run_command', 'list_files'] as const)[step % 4];
    return this.event('trace.step', 'executor', runId, cause, {
      taskId, iteration, step, kind: thought ? 'thought' : stepKindOfTool(tool),
      ...(thought ? {} : { tool }),
      input: thought ? '' : tool === 'run_command' ? 'npm test' : 'src/slugify.ts',
      output: thought ? MODEL_TEXT : tool === 'run_command' ? COMMAND_OUTPUTS[step % 2] : tool === 'list_files' ? COMMAND_OUTPUTS[2] : FILE_CONTENT,
      ...(tool === 'run_command' && !thought ? { exitCode: step % 2 } : {}),
      durationMs: 40 + (step % 7) * 130,
    });
  }

  /** Appends requested → routed → completed for one decision; returns the completed event's id. */
  private decision(
    events: LoopEvent[], runId: string, taskId: string, requester: 'executor' | 'grader', key: string, kind: string,
    item: string | undefined, suffix: string, cause: string, features: Record<string, number | boolean>,
  ): string {
    const decisionId = `dec-${this.prefix}-${suffix}`;
    const tier: Tier = RETIRED[key] ?? 'frontier';
    const estimatedUsd = tier === 'frontier' ? 0.012 : 0;
    const requested = this.event('decision.requested', requester, runId, cause, {
      decisionId, key, requester, role: 'engineer', kind, ...(item ? { item } : {}), taskId, estimatedUsd, features,
    });
    const routed = this.event('decision.routed', 'router', runId, requested.id, {
      decisionId, key, tier, reason: tier === 'frontier' ? 'no cheaper tier holds this key' : `mined rule r-${key.length} for this key`,
      ...(tier === 'deterministic' ? { ruleId: `r-${key.length}`, ruleVerdict: 'pass' } : {}),
      ...(tier === 'resident' ? { ruleId: `r-${key.length}`, model: 'distilled-clarity-v3', confidenceThreshold: 0.8 } : {}),
      ...(tier === 'frontier' ? { model: 'claude-sonnet-4-5' } : {}),
      reservedUsd: estimatedUsd, shadow: false,
    });
    const completed = this.event('decision.completed', requester, runId, routed.id, {
      decisionId, key, tier, verdict: 'pass', evidence: 'the trace shows `npm test` ran with exit code 0 before the claim',
      reasoning: tier === 'frontier' ? 'The final message claims the tests pass and the trace shows a passing run after the last write.' : '',
      confidence: tier === 'deterministic' ? 1 : 0.91, costUsd: tier === 'frontier' ? 0.0107 : tier === 'resident' ? 0.0001 : 0,
      tokens: tier === 'frontier' ? { input: 3_412, output: 286 } : { input: 0, output: 0 },
      latencyMs: tier === 'frontier' ? 2_840 : tier === 'resident' ? 35 : 1,
      ...(tier !== 'frontier' ? { ruleId: `r-${key.length}` } : {}),
      shadow: false, simulated: true,
    });
    events.push(requested, routed, completed);
    return completed.id;
  }

  private grade(
    runId: string, taskId: string, work: LoopEvent, iteration: number, passed: boolean,
    items: { id: string; kind: 'gate' | 'dimension'; passed: boolean; score: number; tier: 'frontier' | 'resident' | 'deterministic' }[],
  ): LoopEvent {
    const workId = (work.data as { workId: string }).workId;
    const gates = items.filter((i) => i.kind === 'gate').map((i) => ({
      id: i.id, passed: i.passed, evidence: i.passed ? 'trace step 41: `npm test` exit 0' : 'claimed tests pass; no test run in the trace', tier: i.tier, severity: 'critical' as const,
    }));
    const dimensions = items.filter((i) => i.kind === 'dimension').map((i) => ({
      id: i.id, score: i.score, evidence: 'src/slugify.ts lines 1-7', reasoning: 'Handles the stated case; edge cases (unicode) are not covered.', tier: i.tier,
    }));
    const toReachNext = [
      ...gates.filter((g) => !g.passed).map((g) => ({ id: g.id, current: false, target: true, delta: 'run the tests before claiming they pass', owner: 'executor' as const, fixType: 'local' as const, honestyNote: '' })),
      ...dimensions.filter((d) => d.score < 5).map((d) => ({ id: d.id, current: d.score, target: d.score + 1, delta: 'cover unicode input in a test', owner: 'executor' as const, fixType: 'local' as const, honestyNote: '' })),
    ];
    const overall = passed ? 0.81 : 0.25;
    return this.event('grade.recorded', 'grader', runId, work.id, {
      gradeId: `grade-${workId}`, workId, taskId, role: 'engineer', iteration, passed, overall,
      rubrics: [{
        rubricId: 'engineer-output', rubricVersion: 3, surface: 'output', gates, dimensions, notScored: [], toReachNext,
        weightedAvg: 1 + overall * 4, overall, capsApplied: passed ? [] : [{ gate: 'ran_tests_before_claim', cap: 0.25 }], passed,
      }],
      rerun: { command: 'npm test', exitCode: passed ? 0 : 1, output: COMMAND_OUTPUTS[passed ? 0 : 1] },
      costUsd: 0.09,
    });
  }
}
