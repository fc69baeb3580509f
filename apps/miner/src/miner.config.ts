import {
  DEFAULT_DRAFTING_PLAN_CONFIG, DEFAULT_MINER_PLAN_CONFIG, DEFAULT_RULE_LIFECYCLE_CONFIG, DraftingPlanConfig, MinerPlanConfig, RuleLifecycleConfig,
} from '@loopwright/mining';

export interface MinerConfig {
  /** How often the outer loop runs a pass over the projections. */
  passIntervalMs: number;
  /** How often an audit checkpoint is published (when the chain moved). */
  auditIntervalMs: number;
  /** The pass lease: one replica runs a pass at a time; a dead holder's lease lapses after ttlMs. */
  lease: { ttlMs: number; renewMs: number };
  /** Print each pass's holder and span, and what it made of each key it searched (LOOP_MINER_VERBOSE=1). */
  verbose: boolean;
  plan: MinerPlanConfig;
  /** When a role's drafting may go down a tier. */
  drafting: DraftingPlanConfig;
  lifecycle: RuleLifecycleConfig;
}

const num = (env: NodeJS.ProcessEnv, name: string, fallback: number) => (env[name] === undefined ? fallback : Number(env[name]));

export function minerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MinerConfig {
  return {
    passIntervalMs: num(env, 'LOOP_MINER_PASS_MS', 5_000),
    auditIntervalMs: num(env, 'LOOP_AUDIT_INTERVAL_MS', 10_000),
    lease: {
      ttlMs: num(env, 'LOOP_MINER_LEASE_TTL_MS', 30_000),
      renewMs: num(env, 'LOOP_MINER_LEASE_RENEW_MS', Math.floor(num(env, 'LOOP_MINER_LEASE_TTL_MS', 30_000) / 3)),
    },
    verbose: env['LOOP_MINER_VERBOSE'] === '1',
    plan: {
      ...DEFAULT_MINER_PLAN_CONFIG,
      minHistory: num(env, 'LOOP_MINER_MIN_HISTORY', DEFAULT_MINER_PLAN_CONFIG.minHistory),
      minNewHistory: num(env, 'LOOP_MINER_MIN_NEW_HISTORY', DEFAULT_MINER_PLAN_CONFIG.minNewHistory),
    },
    drafting: {
      ...DEFAULT_DRAFTING_PLAN_CONFIG,
      minHistory: num(env, 'LOOP_MINER_MIN_DRAFTS', DEFAULT_DRAFTING_PLAN_CONFIG.minHistory),
      modelId: env['LOOP_RESIDENT_DRAFTER'] ?? DEFAULT_DRAFTING_PLAN_CONFIG.modelId,
    },
    lifecycle: {
      ...DEFAULT_RULE_LIFECYCLE_CONFIG,
      autoApproveDeterministic: env['LOOP_AUTO_APPROVE_DETERMINISTIC'] === 'true',
      shadow: { ...DEFAULT_RULE_LIFECYCLE_CONFIG.shadow, minN: num(env, 'LOOP_SHADOW_MIN_N', DEFAULT_RULE_LIFECYCLE_CONFIG.shadow.minN) },
      spotCheckRate: num(env, 'LOOP_SPOT_CHECK_RATE', DEFAULT_RULE_LIFECYCLE_CONFIG.spotCheckRate),
    },
  };
}
