import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How a run ended, from run.ended. The runs projection is emptied and its checkpoint dropped so the
 * live runner projects it again from sequence 1: run.ended events already in the log were skipped
 * before, and a projection must equal a rebuild.
 */
export class RunEnded1700000005000 implements MigrationInterface {
  name = 'RunEnded1700000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs ADD COLUMN end_reason text, ADD COLUMN role_states jsonb, ADD COLUMN ended_seq bigint,
      ADD COLUMN end_event_ids jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await reproject(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE runs DROP COLUMN end_reason, DROP COLUMN role_states, DROP COLUMN ended_seq, DROP COLUMN end_event_ids');
    await reproject(q);
  }
}

async function reproject(q: QueryRunner): Promise<void> {
  await q.query('TRUNCATE runs');
  await q.query(`DELETE FROM projection_checkpoint WHERE projector LIKE 'runs@%'`);
}
