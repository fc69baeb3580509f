import { z } from 'zod';
import { Sha256, SubjectToken, Usd } from './vocabulary';

export const BudgetExhausted = z.object({
  scope: z.enum(['goal', 'day']),
  scopeId: z.string(),
  limitUsd: Usd,
  spentUsd: Usd,
  reservedUsd: Usd,
  decisionId: z.string(),
});

export const ReviewRequested = z.object({
  reviewId: SubjectToken,
  runId: z.string().optional(),
  taskId: z.string().optional(),
  decisionId: z.string().optional(),
  ruleId: z.string().optional(),
  reason: z.enum(['tier-ceiling', 'budget', 'iterations-exhausted', 'model-unusable', 'scope-call', 'quarantined']),
  summary: z.string().min(1),
  items: z.array(z.string()).default([]),
});

export const ReviewResolved = z.object({
  reviewId: SubjectToken,
  resolution: z.enum(['accept', 'reject', 'retry']),
  by: z.string().min(1),
  note: z.string().default(''),
});

export const AuditCheckpoint = z.object({
  uptoSeq: z.number().int().min(0),
  chainHash: Sha256,
  eventsCovered: z.number().int().min(0),
});

/** One outer-loop pass, recorded once it completed: what it read and what it moved along. */
export const MinerPassCompleted = z.object({
  /** The log sequence every projection the pass read had applied when it began. */
  readThroughSeq: z.number().int().min(0),
  proposals: z.number().int().min(0),
  validations: z.number().int().min(0),
  promotions: z.number().int().min(0),
  /** Every event the pass appended, the counted ones included. */
  appended: z.number().int().min(0),
  durationMs: z.number().int().min(0),
});

export const EventQuarantined = z.object({
  originalSeq: z.number().int().min(1),
  originalSubject: z.string(),
  consumer: z.string(),
  deliveries: z.number().int().min(1),
  reason: z.string().min(1),
});

export type BudgetExhausted = z.infer<typeof BudgetExhausted>;
export type ReviewRequested = z.infer<typeof ReviewRequested>;
export type ReviewResolved = z.infer<typeof ReviewResolved>;
export type AuditCheckpoint = z.infer<typeof AuditCheckpoint>;
export type EventQuarantined = z.infer<typeof EventQuarantined>;
export type MinerPassCompleted = z.infer<typeof MinerPassCompleted>;
