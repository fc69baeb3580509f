import { z } from 'zod';
import { BUILTIN_CHECKS, isBuiltinCheckId } from '@loopwright/checks';
import { FixType, ROLES, ToReachNext } from '@loopwright/events';

/** Item ids become decision-key items and `judge` keys: snake_case only. */
const ItemId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case (lowercase letters, digits, "_")');
const Text = z.string().trim().min(1);

const CheckId = z.string().superRefine((id, ctx) => {
  if (!isBuiltinCheckId(id)) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown built-in check "${id}" (known: ${Object.keys(BUILTIN_CHECKS).join(', ')})`,
    });
  }
});

/** Who can act on a shortfall, and what kind of fix it needs: read into `toReachNext`. */
const Remedy = {
  owner: ToReachNext.shape.owner.default('executor'),
  fixType: FixType.default('local'),
};

export const GateSchema = z
  .object({
    id: ItemId,
    /** What passing looks like, as a sentence: it becomes the `delta` of a failed gate. */
    description: Text,
    severity: z.enum(['critical', 'minor']),
    /** Overall is capped at this when the gate fails. */
    cap: z.number().min(0).max(1),
    check: CheckId.optional(),
    ...Remedy,
  })
  .strict();

export const AnchorsSchema = z
  .object({ 1: Text, 2: Text.optional(), 3: Text, 4: Text.optional(), 5: Text })
  .strict();

export const DimensionSchema = z
  .object({
    id: ItemId,
    description: Text,
    weight: z.number().positive(),
    anchors: AnchorsSchema,
    /** A dimension with a built-in check scores the scale's max when the check passes, its min when it fails. */
    check: CheckId.optional(),
    ...Remedy,
  })
  .strict();

export const RubricRole = z.enum([...ROLES, 'loop']);
export const Surface = z.enum(['output', 'trace', 'run']);

export const RubricDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z]+\.[a-z_]+$/, 'must be <role>.<name>, e.g. engineer.output'),
    version: z.number().int().min(1),
    role: RubricRole,
    surface: Surface,
    description: Text.optional(),
    scale: z.object({ min: z.literal(1), max: z.literal(5) }).strict().default({ min: 1, max: 5 }),
    /** A rubric passes when no critical gate failed and overall >= passThreshold. */
    passThreshold: z.number().min(0).max(1),
    gates: z.array(GateSchema).default([]),
    dimensions: z.array(DimensionSchema).default([]),
  })
  .strict()
  .superRefine((rubric, ctx) => {
    if (!rubric.id.startsWith(`${rubric.role}.`)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: `must start with the role "${rubric.role}."` });
    }
    if ((rubric.role === 'loop') !== (rubric.surface === 'run')) {
      ctx.addIssue({ code: 'custom', path: ['surface'], message: 'the loop rubric, and only it, grades the surface "run"' });
    }
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
export type RubricRole = z.output<typeof RubricRole>;
export type Surface = z.output<typeof Surface>;
/** A rubric as written in its YAML file, with defaults filled in. */
export type RubricDefinition = z.output<typeof RubricDefinitionSchema>;
