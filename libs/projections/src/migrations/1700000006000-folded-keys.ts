import { MigrationInterface, QueryRunner } from 'typeorm';

const FOLDED = ['runs_folded', 'budgets_folded', 'corrections_folded'];
/** The read models whose sums and counts a second event for one business fact could have inflated, and tasks (a stale task.started). */
const REPROJECTED = ['runs', 'budgets', 'corrections', 'tasks'];

/**
 * The business keys each counting read model has folded. The models are emptied and their
 * checkpoints dropped, so the live runner projects them again from sequence 1 without the double
 * counts already in them: a projection must equal a rebuild.
 */
export class FoldedKeys1700000006000 implements MigrationInterface {
  name = 'FoldedKeys1700000006000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of FOLDED) await q.query(`CREATE TABLE ${table} (key text PRIMARY KEY)`);
    await reproject(q);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of FOLDED) await q.query(`DROP TABLE ${table}`);
    await reproject(q);
  }
}

async function reproject(q: QueryRunner): Promise<void> {
  await q.query(`TRUNCATE ${REPROJECTED.join(', ')}`);
  await q.query(`DELETE FROM projection_checkpoint WHERE split_part(projector, '@', 1) = ANY($1::text[])`, [REPROJECTED]);
}
