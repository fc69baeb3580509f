import { MigrationInterface, QueryRunner } from 'typeorm';

export class Checkpoints1700000000000 implements MigrationInterface {
  name = 'Checkpoints1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE projection_checkpoint (
      projector text PRIMARY KEY,
      last_seq bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE projection_checkpoint');
  }
}
