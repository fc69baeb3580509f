import { MigrationInterface, QueryRunner } from 'typeorm';

const views = (order: { decisions: string; runs: string }) => [
  `CREATE OR REPLACE VIEW tier_share_by_run AS
    SELECT r.run_ordinal, r.run_id, r.simulated, d.tier, count(*)::int AS decisions, sum(d.cost_usd${order.decisions})::float8 AS cost_usd
      FROM tier_share_decisions d JOIN runs r ON r.run_id = d.run_id
     GROUP BY r.run_ordinal, r.run_id, r.simulated, d.tier`,
  `CREATE OR REPLACE VIEW tier_share_by_day AS
    SELECT day, tier, count(*)::int AS decisions, sum(cost_usd${order.decisions})::float8 AS cost_usd
      FROM tier_share_decisions
     GROUP BY day, tier`,
  `CREATE OR REPLACE VIEW tier_share_window AS
    SELECT (run_ordinal - 1) / 25 + 1 AS window_index,
           min(run_ordinal) AS first_run_ordinal,
           max(run_ordinal) AS last_run_ordinal,
           tier,
           sum(decisions)::int AS decisions,
           sum(cost_usd${order.runs})::float8 AS cost_usd
      FROM tier_share_by_run
     GROUP BY 1, tier`,
];

/**
 * Tier-share costs are float sums, and a float sum depends on the order of its terms: the rows of
 * a table built event by event lie in another order than those of a rebuilt one. Summing in a
 * fixed order (decision id, run ordinal) makes a rebuilt view equal the live one to the last digit.
 */
export class TierShareFixedOrder1700000004000 implements MigrationInterface {
  name = 'TierShareFixedOrder1700000004000';

  async up(q: QueryRunner): Promise<void> {
    for (const view of views({ decisions: ' ORDER BY decision_id', runs: ' ORDER BY run_ordinal' })) await q.query(view);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const view of views({ decisions: '', runs: '' })) await q.query(view);
  }
}
