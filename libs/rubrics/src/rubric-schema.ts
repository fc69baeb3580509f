import { z } from 'zod';
import { BUILTIN_CHECKS, isBuiltinCheckId } from '@loopwright/checks';
import { PredicateSchema, Role, ROLES } from '@loopwright/events';

/** Item ids become decision-key items and `judge` keys: snake_case only. */
const ItemId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case (lowercase letters, digits, "_")');
const Text = z.string().trim().min(1);
const FeatureName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must name a feature (snake_case)');

const CheckId = z.string().superRefine((id, ctx) => {
  if (!isBuiltinCheckId(id)) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown built-in check "${id}" (known: ${Object.keys(BUILTIN_CHECKS).join(', ')})`,
    });
  }
});

/**
 * When an item (or a whole rubric) applies, decided by code from the recorded features before any
 * judge is asked: an item that does not apply is a gate passed vacuously or a dimension not scored,
 * and its weight renormalizes away. The description says it in words for the record.
 */
export const AppliesWhenSchema = z.object({ description: Text, when: PredicateSchema }).strict();

/** Secondary surfaces a dimension needs; with the surface absent it is not scored. */
export const NEEDS_SURFACE = {
  task_plan: { feature: 'has_task_plan', says: 'the task plan' },
  review_report: { feature: 'has_review_report', says: 'the review report' },
  release_gate: { feature: 'has_release_gate', says: 'the release gate' },
  implementation_note: { feature: 'has_implementation_note', says: 'the implementation note (the final message)' },
  rerun: { feature: 'rerun_available', says: "the grader's own re-run" },
} as const;
export const NeedsSurface = z.enum(Object.keys(NEEDS_SURFACE) as [keyof typeof NEEDS_SURFACE, ...(keyof typeof NEEDS_SURFACE)[]]);

/**
 * Where a shortfall goes when its cause is not this role's: `upstream-structural` to the stage that
 * owns it (a role, or the role a feature names), `tier-ceiling` to a person. Decided per case by
 * the grader: the first route whose `when` holds on the recorded features; none holding, `local`.
 */
export const RouteSchema = z
  .object({
    when: PredicateSchema.optional(),
    fixType: z.enum(['upstream-structural', 'tier-ceiling']),
    stage: z.union([Role, z.object({ feature: FeatureName }).strict()]).optional(),
    because: Text,
  })
  .strict()
  .superRefine((route, ctx) => {
    if ((route.fixType === 'upstream-structural') !== (route.stage !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['stage'], message: 'an upstream-structural route names its stage, and only it does' });
    }
  });

/** What an item's feedback routes and says beyond the delta: routes, and how a higher score could be gamed. */
const Feedback = {
  routes: z.array(RouteSchema).default([]),
  /** Said in the honesty note of every entry of this item: the way to raise the score without raising the work. */
  gaming: Text.optional(),
  appliesWhen: AppliesWhenSchema.optional(),
};

export const GateSchema = z
  .object({
    id: ItemId,
    /** What passing looks like, as a sentence. */
    description: Text,
    /** A failed critical gate caps the overall at 0, a failed minor gate at 0.5. */
    severity: z.enum(['critical', 'minor']),
    check: CheckId.optional(),
    ...Feedback,
  })
  .strict();

export const AnchorsSchema = z
  .object({ 1: Text, 2: Text.optional(), 3: Text, 4: Text.optional(), 5: Text })
  .strict();

/** A dimension scored by code from one feature: the first band the value falls in gives the score. */
export const ScoredBySchema = z
  .object({
    feature: FeatureName,
    bands: z.array(z.object({ min: z.number().optional(), max: z.number().optional(), score: z.number().int().min(1).max(5) }).strict()).min(2),
  })
  .strict();

export const DimensionSchema = z
  .object({
    id: ItemId,
    description: Text,
    /** Integer weights, 4 to 10, explained by the rubric's `weightRationale`. */
    weight: z.number().int().min(4).max(10),
    anchors: AnchorsSchema,
    /** A dimension with a built-in check scores the scale's max when the check passes, its min when it fails. */
    check: CheckId.optional(),
    scoredBy: ScoredBySchema.optional(),
    needsSurface: NeedsSurface.optional(),
    ...Feedback,
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.check && d.scoredBy) ctx.addIssue({ code: 'custom', path: ['scoredBy'], message: 'a dimension is decided by a check or scored by a feature, not both' });
  });

export const Surface = z.enum(['output', 'trace', 'run']);

const RubricId = z.string().regex(/^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/, 'must be lowercase words joined by "-" or ".", e.g. task-plan or engineer.trajectory');

export const RubricDefinitionSchema = z
  .object({
    id: RubricId,
    version: z.number().int().min(1),
    /** What it grades: an artifact a role hands on (`output`), how a role worked (`trace`), or a whole run (`run`). */
    surface: Surface,
    /** The roles whose work it grades; a run rubric grades none. */
    roles: z.array(Role).default([]),
    /** Behavior rubrics grade without bouncing work until a calibration says they separate good from bad runs. */
    activation: z.enum(['gating', 'advisory']).default('gating'),
    description: Text,
    scale: z.object({ min: z.literal(1), max: z.literal(5) }).strict().default({ min: 1, max: 5 }),
    /** A rubric passes when no critical gate failed, no dimension lacks a verdict and overall >= passThreshold. */
    passThreshold: z.number().min(0).max(1).default(0.7),
    /** When the rubric applies to a piece of work at all (e.g. the handoff, when the role hands on). */
    appliesWhen: AppliesWhenSchema.optional(),
    /** Why the heaviest dimension is the heaviest. */
    weightRationale: Text.optional(),
    gates: z.array(GateSchema).default([]),
    dimensions: z.array(DimensionSchema).default([]),
    /** Rules this surface cannot measure, with where they are graded instead. */
    unmeasurable: z.array(z.object({ rule: Text, home: Text }).strict()).default([]),
  })
  .strict()
  .superRefine((rubric, ctx) => {
    if ((rubric.surface === 'run') !== (rubric.roles.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['roles'], message: 'a run rubric grades no role, and every other rubric grades at least one' });
    }
    if (rubric.surface === 'trace' && rubric.activation !== 'advisory') {
      ctx.addIssue({ code: 'custom', path: ['activation'], message: 'a behavior rubric starts advisory: only a calibration makes it gate' });
    }
    if (rubric.surface === 'run') {
      const judged = [...rubric.gates, ...rubric.dimensions].filter((i) => !i.check && !('scoredBy' in i && i.scoredBy));
      for (const item of judged) ctx.addIssue({ code: 'custom', path: ['surface'], message: `the run rubric is decided by code: "${item.id}" needs a check or scoredBy` });
    }
    if (rubric.dimensions.length > 0 && !rubric.weightRationale) {
      ctx.addIssue({ code: 'custom', path: ['weightRationale'], message: 'weights need a rationale: why the heaviest dimension is the heaviest' });
    }
    if (rubric.dimensions.length > 8) ctx.addIssue({ code: 'custom', path: ['dimensions'], message: 'at most 8 dimensions' });
    if (rubric.gates.length + rubric.dimensions.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['dimensions'], message: 'a rubric needs at least one gate or dimension' });
    }
    const seen = new Map<string, string>();
    const items = [
      ...rubric.gates.map((g, i) => ({ id: g.id, path: ['gates', i, 'id'] })),
      ...rubric.dimensions.map((d, i) => ({ id: d.id, path: ['dimensions', i, 'id'] })),
    ];
    for (const item of items) {
      const first = seen.get(item.id);
      if (first) ctx.addIssue({ code: 'custom', path: item.path, message: `duplicate item id "${item.id}" (also ${first})` });
      else seen.set(item.id, item.path.join('.'));
    }
  });

export type Gate = z.output<typeof GateSchema>;
export type Dimension = z.output<typeof DimensionSchema>;
export type Route = z.output<typeof RouteSchema>;
export type AppliesWhen = z.output<typeof AppliesWhenSchema>;
export type Surface = z.output<typeof Surface>;
/** A rubric as written in its YAML file, with defaults filled in. */
export type RubricDefinition = z.output<typeof RubricDefinitionSchema>;

/** The cap a failed gate puts on the overall: 0 for a critical gate, 0.5 for a minor one. */
export function capOf(gate: Pick<Gate, 'severity'>): number {
  return gate.severity === 'critical' ? 0 : 0.5;
}

/** The roles every rubric can name. */
export const RUBRIC_ROLES = ROLES;
