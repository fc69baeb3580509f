import { decisionsProjector, LifecycleKeys1700000007000, readCheckpoint, rulesProjector, runsProjector, tasksProjector } from '../index';
import { useMigrationSchema } from '../testing/migration-schema';

describe('the lifecycle keys migration', () => {
  const schema = useMigrationSchema('lifecycle_keys_migration', LifecycleKeys1700000007000);

  it('projects the rules, runs and tasks again from seq 1, without the rows replays added; the others keep their place', async () => {
    expect(schema.earlier).toHaveLength(7);
    await schema.before(async (old) => {
      // A validation recorded twice: once as delivered, once more as replayed under a new id.
      for (const seq of [2, 5]) {
        await old.query(`INSERT INTO rule_validations (rule_id, seq, golden_checked, golden_changed, history_precision, history_recall, history_n, validated_at)
          VALUES ('rule-1', $1, 12, '[]', 0.97, 0.9, 40, now())`, [seq]);
      }
      await old.query(`INSERT INTO runs_folded (key) VALUES ('started:t-1:1')`);
      await old.query(`INSERT INTO projection_checkpoint (projector, last_seq) VALUES ('rules@v1', 5), ('runs@v1', 5), ('tasks@v1', 5), ('decisions@v1', 5)`);
    });

    await schema.after(async (db) => {
      expect(await db.query('SELECT * FROM rule_validations')).toEqual([]);
      expect(await db.query('SELECT (SELECT count(*) FROM runs_folded)::int AS runs, (SELECT count(*) FROM rules_folded)::int AS rules')).toEqual([{ runs: 0, rules: 0 }]);
      for (const projector of [rulesProjector, runsProjector, tasksProjector]) expect(await readCheckpoint(db, projector)).toBe(0);
      expect(await readCheckpoint(db, decisionsProjector)).toBe(5);
    });
  });
});
