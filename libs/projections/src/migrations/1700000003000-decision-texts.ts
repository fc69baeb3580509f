import { MigrationInterface, QueryRunner } from 'typeorm';

/** The texts a decision was requested with: what the miner trains text-reading residents on. */
export class DecisionTexts1700000003000 implements MigrationInterface {
  name = 'DecisionTexts1700000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE decisions ADD COLUMN texts jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE decisions DROP COLUMN texts');
  }
}
