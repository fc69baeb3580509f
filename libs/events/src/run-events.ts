import { z } from 'zod';
import { DeploymentReportRecord, ProbeEvidenceRecord, ReleaseGateRecord } from './artifact-records';
import { DecisionOutcomeTier, Role, Sha256, SubjectToken, Tier, Usd } from './vocabulary';

/** A file the goal starts from, materialized in the task's sandbox before the agent runs. */
export const SeedFile = z.object({ path: z.string().min(1), content: z.string() });

/**
 * A path pattern the agent may write: relative and inside the workspace. `..` segments, absolute
 * paths, drive letters and `~` are refused where the goal enters the log, naming the field.
 */
export const AllowedPath = z
  .string()
  .min(1)
  .refine((p) => p.trim() === p && p.trim() !== '', 'must not be blank or padded with spaces')
  .refine((p) => !p.startsWith('/') && !p.startsWith('\\') && !/^[A-Za-z]:/.test(p), 'must be relative to the workspace, not absolute')
  .refine((p) => !p.startsWith('~'), 'must not start with "~" (home directories are outside the workspace)')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must not climb out of the workspace with ".."');

/** The command that proves the work: something to run, not blanks. */
export const TestCommand = z.string().refine((c) => c.trim() !== '', 'must name a command to run, not be blank');

export const TRANSCRIPT_FORMATS = ['claude-code', 'swe-agent', 'mini-swe-agent', 'openhands', 'otlp-json'] as const;
export const TranscriptFormat = z.enum(TRANSCRIPT_FORMATS);
export type TranscriptFormat = z.infer<typeof TranscriptFormat>;

/** Where an imported run came from. */
export const ImportSource = z.object({
  format: TranscriptFormat,
  /** The source's own ids: session id, instance id, trace id. */
  ids: z.array(z.string().min(1)).min(1),
  /** sha256 of the transcript's bytes as imported. */
  digest: Sha256,
});

export const GOAL_BACKENDS = ['local', 'sim', 'import', 'managed', 'claude-agent-sdk'] as const;
export const GoalBackend = z.enum(GOAL_BACKENDS);
export type GoalBackend = z.infer<typeof GoalBackend>;

export const GoalSubmitted = z.object({
  goalId: SubjectToken,
  title: z.string().min(1).max(200),
  description: z.string().min(1),
  /** A long description is kept in the artifact store: `description` is then its first part, this its digest. */
  descriptionDigest: Sha256.optional(),
  roles: z.array(Role).min(1),
  /** Paths (relative, glob with a trailing `/**` or exact) the agent may write. */
  allowedPaths: z.array(AllowedPath).min(1),
  /** The command that proves the work: the grader re-runs it itself, on the goal's own seed files. */
  testCommand: TestCommand,
  seedFiles: z.array(SeedFile).default([]),
  budgetUsd: Usd,
  maxIterations: z.number().int().min(1).max(20).default(3),
  maxTurns: z.number().int().min(1).max(10_000).default(20),
  /**
   * Which executor backend runs the run's agents: `local` (the Messages API tool loop), `managed`
   * (Anthropic Managed Agents sessions), `claude-agent-sdk` (Claude Code's agent loop as a library);
   * `sim` is a simulation and is labeled so everywhere; `import` is an existing transcript turned
   * into a run (nobody runs it again).
   */
  backend: GoalBackend.default('local'),
  labels: z.record(z.string(), z.string()).default({}),
  /** Paths where scratch files may go (`/tmp/**`, `reproduce*.py`): they never count against scope. */
  scratchPaths: z.array(z.string().min(1)).default([]),
  /** For an imported run: the transcript's format and its own ids (session, instance, trace). */
  source: ImportSource.optional(),
});

export const TaskStarted = z.object({
  taskId: SubjectToken,
  role: Role,
  iteration: z.number().int().min(1),
  allowedPaths: z.array(z.string()),
  maxTurns: z.number().int().min(1),
  /** What the grader asked for last time: empty on the first iteration. */
  feedback: z.array(z.object({ id: z.string(), delta: z.string(), fixType: z.string() })).default([]),
  /** The accepted work of the role before this one in the pipeline: the workspace and handoff this task starts from. Absent: the goal's seed. */
  startedFrom: z.object({ workId: z.string(), role: Role }).optional(),
  /** Why this iteration runs: a first draft, a revision on its own grade, a re-run after an earlier stage changed, a free retry after an infrastructure failure. */
  cause: z.enum(['draft', 'revision', 'upstream', 'retry']).optional(),
  /** After a revision: which targeted items moved, which did not, and which items regressed (a regression is fed back). */
  revisionCheck: z
    .object({ moved: z.array(z.string()), unmoved: z.array(z.string()), regressed: z.array(z.string()) })
    .optional(),
});

export const TaskCompleted = z.object({
  taskId: SubjectToken,
  role: Role,
  iterations: z.number().int().min(1),
  gradeId: z.string(),
  overall: z.number().min(0).max(1),
});

export const TaskFailed = z.object({
  taskId: SubjectToken,
  role: Role,
  iterations: z.number().int().min(0),
  reason: z.string().min(1),
  reviewId: z.string().optional(),
});

export const ToolName = z.enum(['read_file', 'write_file', 'list_files', 'run_command']);
export type ToolName = z.infer<typeof ToolName>;

/** What one step of an agent's work was: real agents search, browse and think as well as run and edit. */
export const TraceStepKind = z.enum(['command', 'read', 'edit', 'search', 'web', 'thought', 'message', 'question']);
export type TraceStepKind = z.infer<typeof TraceStepKind>;

/** The kind of step each of Loopwright's own sandbox tools records. */
export function stepKindOfTool(tool: ToolName): TraceStepKind {
  const kinds: Record<ToolName, TraceStepKind> = { run_command: 'command', read_file: 'read', write_file: 'edit', list_files: 'search' };
  return kinds[tool];
}

/**
 * One step of an agent's work, recorded as it happens (schema v2): the grader's behavior rubric reads
 * these. v1 steps (`kind: model | tool`) reach this shape through the upcaster.
 */
export const TraceStep = z.object({
  taskId: SubjectToken,
  iteration: z.number().int().min(1),
  step: z.number().int().min(0),
  /** The session's attempt at the iteration, when it is not the first (a retry after its process died). */
  attempt: z.number().int().min(2).optional(),
  kind: TraceStepKind,
  /** The tool as the agent named it: `run_command`, or an imported agent's own (`Bash`, `str_replace_editor`). */
  tool: z.string().max(200).optional(),
  /** command: the command line; read / edit: the path; search / web: the query or URL; otherwise empty. */
  input: z.string().default(''),
  output: z.string().default(''),
  /** The command's exit code: null when it was killed, absent when the source did not record one. */
  exitCode: z.number().int().nullable().optional(),
  /** The tool refused the action (outside the allowed paths, time limit, …). */
  refused: z.string().optional(),
  durationMs: z.number().nonnegative().default(0),
  decisionId: z.string().optional(),
  /** read / edit: the file, relative to the repository when it lies inside it. */
  path: z.string().optional(),
  /** edit: the change as a unified diff, when the source records it. */
  diff: z.string().optional(),
  /** edit: an edit tool made it, or it was inferred from a shell command (`sed -i`, `cat > f`). */
  editedBy: z.enum(['tool', 'shell']).optional(),
  /** Who took the step in a multi-agent transcript: the agent or sub-agent's name. */
  speaker: z.string().max(200).optional(),
  /** A sub-agent's step: the step of the call (Claude Code's Task / Agent) that started the sub-agent. */
  delegatedBy: z.number().int().min(0).optional(),
});

export const Claims = z.object({
  testsPass: z.boolean(),
  testsRun: z.boolean(),
  summary: z.string().default(''),
  /** The phrase the claim was read from, quoted as evidence. */
  evidence: z.string().default(''),
});

export const WorkProduced = z.object({
  workId: z.string(),
  taskId: SubjectToken,
  role: Role,
  iteration: z.number().int().min(1),
  artifactDigest: Sha256,
  files: z.array(z.string()),
  claims: Claims,
  finalMessage: z.string(),
  testCommand: z.string(),
  allowedPaths: z.array(z.string()),
  endedBy: z.enum(['finished', 'turn_limit', 'time_limit', 'cost_limit', 'error', 'interrupted']),
  turnsUsed: z.number().int().min(0),
  maxTurns: z.number().int().min(1).max(10_000),
  firstStepSeq: z.number().int().min(0).optional(),
  /** Paths where the agent may leave scratch files (reproduction scripts, `/tmp/**`): never out of scope. */
  scratchPaths: z.array(z.string().min(1)).default([]),
  /**
   * The work whose workspace the role started from: the previous role's accepted work. Absent: the
   * goal's seed files. The grader judges the change against it, and only if it is that work.
   */
  startedFrom: z.object({ workId: z.string() }).optional(),
  /**
   * How the work was drafted (draft–lint–edit): the tier whose draft was kept, which attempt it was
   * (`redraft`: the second after the lint threw the first out; `regenerate`: written again by the
   * frontier from the editor's notes), and the editorial pass's verdict. Absent: a frontier draft.
   */
  drafting: z
    .object({
      drafter: Tier,
      stream: z.enum(['draft', 'redraft', 'regenerate']),
      edit: z.enum(['approve', 'patch', 'regenerate']).optional(),
    })
    .optional(),
});

/** A link, device or other special file found in a delivered workspace: never followed, never restored. */
export const IrregularFile = z.object({
  path: z.string(),
  kind: z.enum(['symlink', 'hardlink', 'fifo', 'socket', 'device', 'oversized', 'other']),
  target: z.string().optional(),
  bytes: z.number().int().nonnegative().optional(),
});

/**
 * What the grader established about a piece of work before any judgement: its own re-run of the
 * goal's test command on the goal's seed files laid over the delivered files, the delivered change
 * against the seed, and the features every later decision reads. Recorded once per work (its id
 * derives from the work id), so restarts and replicas never re-run the tests.
 */
export const WorkVerified = z.object({
  workId: z.string(),
  taskId: SubjectToken,
  role: Role,
  iteration: z.number().int().min(1),
  rerun: z.object({
    command: z.string(),
    exitCode: z.number().int().nullable(),
    output: z.string().max(8_000),
    timedOut: z.boolean(),
    /** How the re-run was confined: `none` only when an operator allowed unsandboxed commands; `skipped` when there was nothing to re-run. */
    isolation: z.enum(['bubblewrap', 'none', 'skipped']),
    durationMs: z.number().nonnegative(),
  }),
  change: z.object({
    created: z.array(z.string()),
    modified: z.array(z.string()),
    deleted: z.array(z.string()),
    /** Every created, modified or deleted path outside the allowed paths, and every irregular file. */
    outOfScope: z.array(z.string()),
    irregular: z.array(IrregularFile),
  }),
  features: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
  /** What a text-reading resident reads of the work (its final message, its changed files): copied onto the judged decisions. */
  texts: z.array(z.string().max(20_000)).max(4).optional(),
  /** Commands of this run ran without a sandbox (an operator's explicit choice). */
  unsafe: z.boolean().default(false),
  /** The workspace the role started from: the previous role's accepted work, or the goal's seed (absent). */
  base: z.object({ workId: z.string(), artifactDigest: Sha256 }).optional(),
  /** The tester's probes as the grader ran them, tier by tier. */
  probes: z.array(ProbeEvidenceRecord).optional(),
  /** What code synthesized from this evidence: the tester's release gate, the deployer's deployment report. */
  releaseGate: ReleaseGateRecord.optional(),
  deploymentReport: DeploymentReportRecord.optional(),
});

export const DecisionRequested = z.object({
  decisionId: z.string(),
  /** `<requester>:<role>:<kind>:<item>` */
  key: z.string().regex(/^[a-z]+:[a-z]+:[a-z_-]+(:[A-Za-z0-9_.-]+)?$/, 'must be <requester>:<role>:<kind>[:<item>]'),
  requester: z.enum(['executor', 'grader']),
  role: Role,
  kind: z.string(),
  item: z.string().optional(),
  taskId: z.string().optional(),
  /** The decision has a built-in deterministic check: the router's policy knows it is free. */
  builtinCheck: z.string().optional(),
  estimatedUsd: Usd,
  /** Named trace features at the time of the request: mined rules are evaluated on these. */
  features: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).default({}),
  /** What a text-reading model may read for the decision (the final message, the code): resident classifiers learn from it. */
  texts: z.array(z.string().max(20_000)).max(4).optional(),
  /** The artifact the decision is about when it is not yet work (an executor's draft under edit). */
  artifactDigest: Sha256.optional(),
});

export const DecisionRouted = z.object({
  decisionId: z.string(),
  key: z.string(),
  tier: z.union([Tier, z.literal('human')]),
  reason: z.string(),
  ruleId: z.string().optional(),
  model: z.string().optional(),
  /** Verdict of the deterministic rule, when the rule decides. */
  ruleVerdict: z.string().optional(),
  confidenceThreshold: z.number().min(0).max(1).optional(),
  reservedUsd: Usd,
  /** A spot-check: the requester also asks the frontier and records it in shadow. */
  shadow: z.boolean().default(false),
});

export const DecisionCompleted = z.object({
  decisionId: z.string(),
  key: z.string(),
  tier: DecisionOutcomeTier,
  verdict: z.string(),
  /** What the verdict rests on, quoted from the work or the check: graders copy it into the grade. */
  evidence: z.string().default(''),
  reasoning: z.string().default(''),
  confidence: z.number().min(0).max(1),
  costUsd: Usd,
  tokens: z.object({ input: z.number().int().min(0), output: z.number().int().min(0) }),
  latencyMs: z.number().nonnegative(),
  escalatedFrom: Tier.optional(),
  ruleId: z.string().optional(),
  shadow: z.boolean().default(false),
  simulated: z.boolean().default(false),
});

export const FixType = z.enum(['local', 'upstream-structural', 'tier-ceiling']);

export const GateResult = z.object({
  id: z.string(),
  passed: z.boolean(),
  evidence: z.string(),
  tier: DecisionOutcomeTier,
  severity: z.enum(['critical', 'minor']),
});

export const DimensionResult = z.object({
  id: z.string(),
  score: z.number().min(1).max(5),
  evidence: z.string(),
  reasoning: z.string(),
  tier: DecisionOutcomeTier,
});

export const ToReachNext = z.object({
  id: z.string(),
  current: z.union([z.number(), z.boolean()]),
  target: z.union([z.number(), z.boolean()]),
  delta: z.string().min(1),
  owner: z.enum(['executor', 'grader', 'human']),
  fixType: FixType,
  /** The stage whose work must change: this role for a local fix, the stage that owns the cause upstream; absent for a scope call. */
  stage: Role.optional(),
  /** Filled only when a higher score would mean widening scope or gaming the rubric. */
  honestyNote: z.string().default(''),
});

export const RubricGrade = z.object({
  rubricId: z.string(),
  rubricVersion: z.number().int().min(1),
  surface: z.enum(['output', 'trace', 'run']),
  gates: z.array(GateResult),
  dimensions: z.array(DimensionResult),
  notScored: z.array(z.string()),
  toReachNext: z.array(ToReachNext),
  weightedAvg: z.number().min(1).max(5).nullable(),
  overall: z.number().min(0).max(1),
  capsApplied: z.array(z.object({ gate: z.string(), cap: z.number() })),
  passed: z.boolean(),
  /** An advisory rubric grades but does not bounce work: behavior rubrics until a calibration says they separate (absent: gating). */
  mode: z.enum(['gating', 'advisory']).optional(),
  /** Items that did not apply to this work (their `applies_when` was false, or the surface they need is absent). */
  notApplicable: z.array(z.string()).optional(),
  /** Dimensions that should have been scored and had no usable verdict: the rubric cannot pass with any. */
  missing: z.array(z.string()).optional(),
});

/**
 * Where a failed grade's feedback goes, decided by the grader: back to the same role (`local`), to
 * the earlier stage that owns the cause (`upstream-structural`), or to a person as a scope call
 * (`tier-ceiling`, only when nothing else is left); `none` when the grade passed.
 */
export const FeedbackRoute = z.object({
  fixType: z.enum(['none', 'local', 'upstream-structural', 'tier-ceiling']),
  stage: Role.optional(),
  items: z.array(z.string()),
  reason: z.string(),
});

export const GradeRecorded = z.object({
  gradeId: z.string(),
  workId: z.string(),
  taskId: SubjectToken,
  role: Role,
  iteration: z.number().int().min(1),
  passed: z.boolean(),
  overall: z.number().min(0).max(1),
  rubrics: z.array(RubricGrade).min(1),
  /** What the grader saw when it re-ran the declared test command in its own sandbox. */
  rerun: z.object({ command: z.string(), exitCode: z.number().int().nullable(), output: z.string() }),
  costUsd: Usd,
  route: FeedbackRoute.optional(),
});

/**
 * Whether a behavior rubric's scores separate the work that passed its artifact rubrics from the
 * work that did not, over the runs graded so far: it gates once it does (at least `minRuns` runs,
 * a separation of at least `minSeparation`), and stays advisory until then.
 */
export const RubricCalibrated = z.object({
  calibrationId: SubjectToken,
  rubricId: z.string(),
  rubricVersion: z.number().int().min(1),
  runs: z.number().int().min(0),
  samples: z.number().int().min(0),
  passed: z.object({ n: z.number().int().min(0), mean: z.number().min(0).max(1).nullable() }),
  failed: z.object({ n: z.number().int().min(0), mean: z.number().min(0).max(1).nullable() }),
  separation: z.number().nullable(),
  minRuns: z.number().int().min(1),
  minSeparation: z.number().min(0).max(1),
  gating: z.boolean(),
  reason: z.string(),
});

/** The run-level rubric applied once a run has ended: every role done, or a task that failed. */
export const RunGraded = z.object({
  runId: z.string(),
  outcome: z.enum(['done', 'failed']),
  /** The event the run ended on. */
  endedBy: z.object({ type: z.enum(['task.completed', 'task.failed']), eventId: z.string() }),
  grade: RubricGrade,
  features: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
});

export const RUN_END_STATUSES = ['done', 'stuck', 'gate-failed', 'blocked-on-questions'] as const;

/**
 * The executor has nothing more to do for a run: every role done; a task parked as stuck after its
 * bounces (its dependents blocked); a release gate that failed; or a question only a person can
 * answer (a review). A person's answer may resume a run that was blocked on it.
 */
export const RunEnded = z.object({
  runId: z.string(),
  status: z.enum(RUN_END_STATUSES),
  reason: z.string().min(1),
  /** Per role of the pipeline, in order: how its task stands. */
  tasks: z.array(z.object({ role: Role, status: z.enum(['completed', 'stuck', 'blocked', 'review', 'failed', 'not-started']) })),
  reviewId: z.string().optional(),
});

export type GoalSubmitted = z.infer<typeof GoalSubmitted>;
export type TaskStarted = z.infer<typeof TaskStarted>;
export type TaskCompleted = z.infer<typeof TaskCompleted>;
export type TaskFailed = z.infer<typeof TaskFailed>;
export type RunEnded = z.infer<typeof RunEnded>;
export type TraceStep = z.infer<typeof TraceStep>;
export type ImportSource = z.infer<typeof ImportSource>;
export type Claims = z.infer<typeof Claims>;
export type WorkProduced = z.infer<typeof WorkProduced>;
export type WorkVerified = z.infer<typeof WorkVerified>;
export type IrregularFile = z.infer<typeof IrregularFile>;
export type DecisionRequested = z.infer<typeof DecisionRequested>;
export type DecisionRouted = z.infer<typeof DecisionRouted>;
export type DecisionCompleted = z.infer<typeof DecisionCompleted>;
export type GateResult = z.infer<typeof GateResult>;
export type DimensionResult = z.infer<typeof DimensionResult>;
export type ToReachNext = z.infer<typeof ToReachNext>;
export type RubricGrade = z.infer<typeof RubricGrade>;
export type GradeRecorded = z.infer<typeof GradeRecorded>;
export type FixType = z.infer<typeof FixType>;
export type FeedbackRoute = z.infer<typeof FeedbackRoute>;
export type RubricCalibrated = z.infer<typeof RubricCalibrated>;
export type RunGraded = z.infer<typeof RunGraded>;
