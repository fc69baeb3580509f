import { budgetsProjector, correctionsProjector, decisionsProjector, FoldedKeys1700000006000, readCheckpoint, runsProjector, tasksProjector } from '../index';
import { useMigrationSchema } from '../testing/migration-schema';

describe('the folded-keys migration', () => {
  const schema = useMigrationSchema('folded_keys_migration', FoldedKeys1700000006000);

  it('projects the counting read models again from seq 1, without the double counts they hold; the others keep their place', async () => {
    expect(schema.earlier).toHaveLength(6);
    await schema.before(async (old) => {
      // A goal budget that counted one completion twice.
      await old.query(`INSERT INTO budgets (scope, scope_id, limit_usd, spent_usd, decisions, exhausted_count, updated_seq) VALUES ('goal', 'r-1', 1, 0.5, 2, 0, 3)`);
      await old.query(`INSERT INTO projection_checkpoint (projector, last_seq) VALUES ('runs@v1', 3), ('budgets@v1', 3), ('corrections@v1', 3), ('tasks@v1', 3), ('decisions@v1', 3)`);
    });

    await schema.after(async (db) => {
      expect(await db.query('SELECT * FROM budgets')).toEqual([]);
      for (const projector of [runsProjector, budgetsProjector, correctionsProjector, tasksProjector]) expect(await readCheckpoint(db, projector)).toBe(0);
      expect(await readCheckpoint(db, decisionsProjector)).toBe(3);
      for (const table of ['runs_folded', 'budgets_folded', 'corrections_folded']) expect(await db.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 0 }]);
    });
  });
});
