import { createTestSchema, TestSchema } from '@loopwright/testing';
import { decisionsProjector, openDatabase, PROJECTION_MIGRATIONS, readCheckpoint, rulesProjector, runsProjector, tasksProjector } from '../index';

describe('the lifecycle keys migration', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createTestSchema('lifecycle_keys_migration');
  });

  afterAll(async () => {
    await schema?.drop();
  });

  it('projects the rules, runs and tasks again from seq 1, without the rows replays added; the others keep their place', async () => {
    const before = PROJECTION_MIGRATIONS.filter((m) => m.name !== 'LifecycleKeys1700000007000');
    expect(before).toHaveLength(PROJECTION_MIGRATIONS.length - 1);
    const old = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, before);
    try {
      // A validation recorded twice: once as delivered, once more as replayed under a new id.
      for (const seq of [2, 5]) {
        await old.query(`INSERT INTO rule_validations (rule_id, seq, golden_checked, golden_changed, history_precision, history_recall, history_n, validated_at)
          VALUES ('rule-1', $1, 12, '[]', 0.97, 0.9, 40, now())`, [seq]);
      }
      await old.query(`INSERT INTO runs_folded (key) VALUES ('started:t-1:1')`);
      await old.query(`INSERT INTO projection_checkpoint (projector, last_seq) VALUES ('rules@v1', 5), ('runs@v1', 5), ('tasks@v1', 5), ('decisions@v1', 5)`);
    } finally {
      await old.destroy();
    }

    const db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
    try {
      expect(await db.query('SELECT * FROM rule_validations')).toEqual([]);
      expect(await db.query('SELECT (SELECT count(*) FROM runs_folded)::int AS runs, (SELECT count(*) FROM rules_folded)::int AS rules')).toEqual([{ runs: 0, rules: 0 }]);
      for (const projector of [rulesProjector, runsProjector, tasksProjector]) expect(await readCheckpoint(db, projector)).toBe(0);
      expect(await readCheckpoint(db, decisionsProjector)).toBe(5);
    } finally {
      await db.destroy();
    }
  });
});
