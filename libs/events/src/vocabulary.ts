import { z } from 'zod';

export const ROLES = ['planner', 'architect', 'engineer', 'designer', 'tester', 'deployer'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const TIERS = ['frontier', 'resident', 'deterministic'] as const;
export const Tier = z.enum(TIERS);
export type Tier = z.infer<typeof Tier>;

/** A decision may also end with a human when no tier may take it (budget spent, garbage answers). */
export const DecisionOutcomeTier = z.enum([...TIERS, 'human']);
export type DecisionOutcomeTier = z.infer<typeof DecisionOutcomeTier>;

export const PRODUCERS = ['executor', 'grader', 'router', 'miner', 'submitter'] as const;
export const Producer = z.enum(PRODUCERS);
export type Producer = z.infer<typeof Producer>;

export const AGGREGATES = ['run', 'rule', 'budget', 'review', 'audit', 'system'] as const;
export const Aggregate = z.enum(AGGREGATES);
export type Aggregate = z.infer<typeof Aggregate>;

/** A token that can stand between two dots of a subject: no dots, spaces or wildcards. */
export const SubjectToken = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "_" or "-" (it becomes a subject token)');

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex sha256 digest');
export const Usd = z.number().finite().nonnegative();
