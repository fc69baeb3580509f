import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReadModels1700000001000 implements MigrationInterface {
  name = 'ReadModels1700000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE runs (
      run_id text PRIMARY KEY,
      goal_id text NOT NULL,
      title text NOT NULL,
      roles jsonb NOT NULL,
      backend text NOT NULL,
      simulated boolean NOT NULL,
      budget_usd float8 NOT NULL,
      status text NOT NULL,
      iterations int NOT NULL,
      roles_completed jsonb NOT NULL,
      cost_usd float8 NOT NULL,
      run_ordinal int NOT NULL UNIQUE,
      submitted_at timestamptz NOT NULL,
      started_at timestamptz,
      ended_at timestamptz,
      open_review_id text,
      submitted_seq bigint NOT NULL,
      updated_seq bigint NOT NULL
    )`);
    await q.query('CREATE INDEX runs_open_review_idx ON runs (open_review_id) WHERE open_review_id IS NOT NULL');

    await q.query(`CREATE TABLE tasks (
      run_id text NOT NULL,
      task_id text NOT NULL,
      role text NOT NULL,
      iteration int NOT NULL,
      status text NOT NULL,
      final_overall float8,
      grade_id text,
      failure_reason text,
      review_id text,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      updated_seq bigint NOT NULL,
      PRIMARY KEY (run_id, task_id)
    )`);

    await q.query(`CREATE TABLE grades (
      grade_id text PRIMARY KEY,
      work_id text NOT NULL,
      run_id text NOT NULL,
      task_id text NOT NULL,
      role text NOT NULL,
      iteration int NOT NULL,
      passed boolean NOT NULL,
      overall float8 NOT NULL,
      cost_usd float8 NOT NULL,
      rerun_exit_code int,
      recorded_at timestamptz NOT NULL,
      recorded_seq bigint NOT NULL
    )`);
    await q.query('CREATE INDEX grades_run_idx ON grades (run_id)');
    await q.query(`CREATE TABLE grade_items (
      grade_id text NOT NULL,
      rubric_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('gate', 'dimension')),
      item_id text NOT NULL,
      rubric_version int NOT NULL,
      surface text NOT NULL,
      passed boolean NOT NULL,
      score float8,
      severity text,
      tier text NOT NULL,
      evidence text NOT NULL,
      reasoning text,
      to_reach_next jsonb,
      PRIMARY KEY (grade_id, rubric_id, kind, item_id)
    )`);

    await q.query(`CREATE TABLE decisions (
      decision_id text PRIMARY KEY,
      run_id text NOT NULL,
      key text NOT NULL,
      requester text,
      role text,
      kind text,
      item text,
      task_id text,
      builtin_check text,
      features jsonb,
      estimated_usd float8,
      routed_tier text,
      reason text,
      rule_id text,
      model text,
      rule_verdict text,
      reserved_usd float8,
      shadow boolean NOT NULL,
      tier text,
      verdict text,
      confidence float8,
      cost_usd float8,
      tokens_in int,
      tokens_out int,
      latency_ms float8,
      escalated_from text,
      simulated boolean NOT NULL,
      shadow_tier text,
      shadow_verdict text,
      shadow_confidence float8,
      shadow_cost_usd float8,
      shadow_latency_ms float8,
      requested_at timestamptz,
      completed_at timestamptz,
      requested_seq bigint,
      routed_seq bigint,
      completed_seq bigint,
      shadow_completed_seq bigint
    )`);
    await q.query('CREATE INDEX decisions_key_idx ON decisions (key, requested_seq)');
    await q.query('CREATE INDEX decisions_run_idx ON decisions (run_id)');

    await q.query(`CREATE TABLE corrections (
      signature_id text PRIMARY KEY,
      signature text NOT NULL,
      decision_key text NOT NULL,
      role text NOT NULL,
      rubric_id text NOT NULL,
      kind text NOT NULL,
      item_id text NOT NULL,
      fix_type text NOT NULL,
      delta_normalized text NOT NULL,
      example_delta text NOT NULL,
      count int NOT NULL,
      example_event_ids jsonb NOT NULL,
      first_seq bigint NOT NULL,
      last_seq bigint NOT NULL,
      last_at timestamptz NOT NULL
    )`);
    await q.query('CREATE INDEX corrections_key_idx ON corrections (decision_key)');

    await q.query(`CREATE TABLE rules (
      rule_id text PRIMARY KEY,
      kind text,
      key text NOT NULL,
      role text,
      state text NOT NULL,
      predicate jsonb,
      verdict_when_true text,
      verdict_when_false text,
      model_id text,
      text text,
      evidence jsonb,
      scope_call boolean NOT NULL,
      approvals jsonb NOT NULL,
      tier text,
      confidence_threshold float8,
      spot_check_rate float8,
      rejected_by text,
      rejection_reason text,
      demotion_reason text,
      disagreement float8,
      proposed_at timestamptz,
      validated_at timestamptz,
      approved_at timestamptz,
      promoted_at timestamptz,
      rejected_at timestamptz,
      demoted_at timestamptz,
      updated_seq bigint NOT NULL
    )`);
    await q.query(`CREATE TABLE rule_validations (
      rule_id text NOT NULL,
      seq bigint NOT NULL,
      golden_checked int NOT NULL,
      golden_changed jsonb NOT NULL,
      history_precision float8 NOT NULL,
      history_recall float8 NOT NULL,
      history_n int NOT NULL,
      shadow_agreement float8,
      shadow_n int,
      validated_at timestamptz NOT NULL,
      PRIMARY KEY (rule_id, seq)
    )`);

    await q.query(`CREATE TABLE reviews (
      review_id text PRIMARY KEY,
      run_id text,
      task_id text,
      decision_id text,
      rule_id text,
      reason text,
      summary text,
      items jsonb NOT NULL,
      status text NOT NULL,
      resolution text,
      resolved_by text,
      note text,
      requested_at timestamptz,
      resolved_at timestamptz,
      requested_seq bigint,
      resolved_seq bigint
    )`);

    await q.query(`CREATE TABLE budgets (
      scope text NOT NULL,
      scope_id text NOT NULL,
      limit_usd float8,
      spent_usd float8 NOT NULL,
      decisions int NOT NULL,
      reported_spent_usd float8,
      reported_reserved_usd float8,
      exhausted_count int NOT NULL,
      last_exhausted_decision_id text,
      last_exhausted_at timestamptz,
      updated_seq bigint NOT NULL,
      PRIMARY KEY (scope, scope_id)
    )`);

    await q.query(`CREATE TABLE audit_chain (
      seq bigint PRIMARY KEY,
      chain_hash text NOT NULL
    )`);

    await q.query(`CREATE TABLE projection_rebuild (
      generation int PRIMARY KEY,
      projectors jsonb NOT NULL,
      target_schema text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'swapped')),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      swapped_at_seq bigint
    )`);

    // Tier share is a view over decisions and runs: the primary answer's tier (a decision routed to
    // a human counts as human before anyone completes it); shadow spot-checks are not counted.
    await q.query(`CREATE VIEW tier_share_decisions AS
      SELECT d.decision_id, d.run_id, coalesce(d.tier, 'human') AS tier, coalesce(d.cost_usd, 0)::float8 AS cost_usd,
             (coalesce(d.completed_at, d.requested_at) AT TIME ZONE 'UTC')::date AS day
        FROM decisions d
       WHERE d.tier IS NOT NULL OR d.routed_tier = 'human'`);
    await q.query(`CREATE VIEW tier_share_by_run AS
      SELECT r.run_ordinal, r.run_id, r.simulated, d.tier, count(*)::int AS decisions, sum(d.cost_usd)::float8 AS cost_usd
        FROM tier_share_decisions d JOIN runs r ON r.run_id = d.run_id
       GROUP BY r.run_ordinal, r.run_id, r.simulated, d.tier`);
    await q.query(`CREATE VIEW tier_share_by_day AS
      SELECT day, tier, count(*)::int AS decisions, sum(cost_usd)::float8 AS cost_usd
        FROM tier_share_decisions
       GROUP BY day, tier`);
    await q.query(`CREATE VIEW tier_share_window AS
      SELECT (run_ordinal - 1) / 25 + 1 AS window_index,
             min(run_ordinal) AS first_run_ordinal,
             max(run_ordinal) AS last_run_ordinal,
             tier,
             sum(decisions)::int AS decisions,
             sum(cost_usd)::float8 AS cost_usd
        FROM tier_share_by_run
       GROUP BY 1, tier`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP VIEW tier_share_window');
    await q.query('DROP VIEW tier_share_by_day');
    await q.query('DROP VIEW tier_share_by_run');
    await q.query('DROP VIEW tier_share_decisions');
    for (const table of [
      'projection_rebuild', 'audit_chain', 'budgets', 'reviews', 'rule_validations', 'rules', 'corrections', 'decisions',
      'grade_items', 'grades', 'tasks', 'runs',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
