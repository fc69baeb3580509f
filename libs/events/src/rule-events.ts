import { z } from 'zod';
import { Role, Sha256, SubjectToken, Tier } from './vocabulary';

/** One condition of a mined rule: a named trace feature compared with a value. Data, never code. */
export type Condition =
  | { feature: string; eq: number | boolean | string }
  | { feature: string; neq: number | boolean | string }
  | { feature: string; gt: number }
  | { feature: string; gte: number }
  | { feature: string; lt: number }
  | { feature: string; lte: number };

/** A predicate over named features: a condition, or all / any / not of predicates. */
export type Predicate = Condition | { all: Predicate[] } | { any: Predicate[] } | { not: Predicate };

const FeatureValue = z.union([z.number(), z.boolean(), z.string()]);
const ConditionSchema = z.union([
  z.object({ feature: z.string().min(1), eq: FeatureValue }).strict(),
  z.object({ feature: z.string().min(1), neq: FeatureValue }).strict(),
  z.object({ feature: z.string().min(1), gt: z.number() }).strict(),
  z.object({ feature: z.string().min(1), gte: z.number() }).strict(),
  z.object({ feature: z.string().min(1), lt: z.number() }).strict(),
  z.object({ feature: z.string().min(1), lte: z.number() }).strict(),
]);

export const PredicateSchema: z.ZodType<Predicate> = z.lazy(() =>
  z.union([
    ConditionSchema,
    z.object({ all: z.array(PredicateSchema).min(1) }).strict(),
    z.object({ any: z.array(PredicateSchema).min(1) }).strict(),
    z.object({ not: PredicateSchema }).strict(),
  ]),
);

export const RuleKind = z.enum(['deterministic', 'resident', 'rubric-line', 'instruction']);
export type RuleKind = z.infer<typeof RuleKind>;

export const Evidence = z.object({
  support: z.number().int().min(0),
  precision: z.number().min(0).max(1),
  recall: z.number().min(0).max(1),
  exampleEventIds: z.array(z.string()).max(50),
});

export const RuleProposed = z.object({
  ruleId: SubjectToken,
  kind: RuleKind,
  key: z.string(),
  role: Role,
  /** For deterministic rules: when the predicate holds, the verdict is `verdictWhenTrue`, else `verdictWhenFalse`. */
  predicate: PredicateSchema.optional(),
  verdictWhenTrue: z.string().optional(),
  verdictWhenFalse: z.string().optional(),
  modelId: z.string().optional(),
  /** A resident model's calibrated confidence threshold: below it, its answers escalate to the frontier. */
  confidenceThreshold: z.number().min(0).max(1).optional(),
  text: z.string().optional(),
  evidence: Evidence,
  /** Scope calls always wait for a human. */
  scopeCall: z.boolean(),
});

export const RuleValidated = z.object({
  ruleId: SubjectToken,
  golden: z.object({ checked: z.number().int().min(0), changed: z.array(z.string()) }),
  history: z.object({ precision: z.number(), recall: z.number(), n: z.number().int() }),
  shadow: z.object({ agreement: z.number(), n: z.number().int() }).optional(),
});

export const RuleRejected = z.object({
  ruleId: SubjectToken,
  reason: z.string().min(1),
  by: z.enum(['miner', 'human']),
  failedExamples: z.array(z.string()).default([]),
});

export const RuleApproved = z.object({
  ruleId: SubjectToken,
  by: z.string().min(1),
  note: z.string().default(''),
});

export const RulePromoted = z.object({
  ruleId: SubjectToken,
  key: z.string(),
  tier: Tier.exclude(['frontier']),
  predicate: PredicateSchema.optional(),
  verdictWhenTrue: z.string().optional(),
  verdictWhenFalse: z.string().optional(),
  modelId: z.string().optional(),
  confidenceThreshold: z.number().min(0).max(1).optional(),
  /** Share of this key's decisions also sent to the frontier in shadow. */
  spotCheckRate: z.number().min(0).max(1).default(0.1),
});

export const RuleDemoted = z.object({
  ruleId: SubjectToken,
  key: z.string(),
  reason: z.string(),
  disagreement: z.number().min(0).max(1),
  n: z.number().int().min(0),
});

export const ResidentTrained = z.object({
  modelId: SubjectToken,
  key: z.string(),
  artifactDigest: Sha256,
  trainedOn: z.number().int().min(0),
  accuracy: z.number().min(0).max(1),
  calibrationError: z.number().min(0).max(1),
});

export const InstructionProposed = z.object({
  instructionId: SubjectToken,
  role: Role,
  text: z.string().min(1),
  evidence: Evidence,
});

export type RuleProposed = z.infer<typeof RuleProposed>;
export type RuleValidated = z.infer<typeof RuleValidated>;
export type RuleRejected = z.infer<typeof RuleRejected>;
export type RuleApproved = z.infer<typeof RuleApproved>;
export type RulePromoted = z.infer<typeof RulePromoted>;
export type RuleDemoted = z.infer<typeof RuleDemoted>;
export type ResidentTrained = z.infer<typeof ResidentTrained>;
export type InstructionProposed = z.infer<typeof InstructionProposed>;
