import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables of the read models a second event for one business fact could have changed: a rule's
 * validation replayed under a new id (a second rule_validations row), a review's request or a task's
 * failure replayed after the review's resolution (the run held for review again, the task failed
 * again). `runs_folded` is emptied with `runs`, or the projection from sequence 1 would find every
 * key already folded.
 */
const REPROJECTED = { rules: ['rules', 'rule_validations', 'rules_folded'], runs: ['runs', 'runs_folded'], tasks: ['tasks'] };

/**
 * The validation steps each rule has recorded (the review requests and task endings each run has
 * folded go to runs_folded). The rules, runs and tasks are emptied and their checkpoints dropped, so
 * the live runner projects them again from sequence 1 without what replays already changed: a
 * projection must equal a rebuild.
 */
export class LifecycleKeys1700000007000 implements MigrationInterface {
  name = 'LifecycleKeys1700000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE rules_folded (key text PRIMARY KEY)');
    await reproject(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rules_folded');
    await reproject(q, ['rules_folded']);
  }
}

async function reproject(q: QueryRunner, dropped: readonly string[] = []): Promise<void> {
  const tables = Object.values(REPROJECTED).flat().filter((table) => !dropped.includes(table));
  await q.query(`TRUNCATE ${tables.join(', ')}`);
  await q.query(`DELETE FROM projection_checkpoint WHERE split_part(projector, '@', 1) = ANY($1::text[])`, [Object.keys(REPROJECTED)]);
}
