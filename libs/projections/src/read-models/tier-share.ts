/**
 * Tier share is not a projector: it is SQL views over `decisions` and `runs` (created by the
 * ReadModels migration) so it is always consistent with them and needs no rebuild of its own.
 * - `tier_share_decisions`: each counted decision with its tier, cost and UTC day;
 * - `tier_share_by_run`: per run (with its ordinal) and tier, decisions and cost;
 * - `tier_share_by_day`: per UTC day and tier;
 * - `tier_share_window`: per window of 25 runs by ordinal. Other window sizes: group
 *   `tier_share_by_run` by `(run_ordinal - 1) / <size>`, as `tierShareByWindow` in the miner does.
 * Counted: the primary answer of each decision (shadow spot-checks excluded); a decision routed to a
 * human counts as `human` even before it is completed.
 */
export const TIER_SHARE_VIEWS = ['tier_share_decisions', 'tier_share_by_run', 'tier_share_by_day', 'tier_share_window'] as const;
export const DEFAULT_TIER_SHARE_WINDOW = 25;
