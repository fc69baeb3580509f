import { MigrationInterface, QueryRunner } from 'typeorm';

export class RubricCalibrations1700000002000 implements MigrationInterface {
  name = 'RubricCalibrations1700000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rubric_calibrations (
      rubric_id text NOT NULL,
      rubric_version int NOT NULL,
      samples int NOT NULL,
      calibration_id text NOT NULL,
      runs int NOT NULL,
      passed_n int NOT NULL,
      passed_mean float8,
      failed_n int NOT NULL,
      failed_mean float8,
      separation float8,
      min_runs int NOT NULL,
      min_separation float8 NOT NULL,
      gating boolean NOT NULL,
      reason text NOT NULL,
      calibrated_at timestamptz NOT NULL,
      calibrated_seq bigint NOT NULL,
      PRIMARY KEY (rubric_id, rubric_version, samples)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rubric_calibrations');
  }
}
