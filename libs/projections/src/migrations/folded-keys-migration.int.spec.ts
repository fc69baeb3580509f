import { createTestSchema, TestSchema } from '@loopwright/testing';
import { budgetsProjector, correctionsProjector, decisionsProjector, FoldedKeys1700000006000, openDatabase, PROJECTION_MIGRATIONS, readCheckpoint, runsProjector, tasksProjector } from '../index';

describe('the folded-keys migration', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createTestSchema('folded_keys_migration');
  });

  afterAll(async () => {
    await schema?.drop();
  });

  it('projects the counting read models again from seq 1, without the double counts they hold; the others keep their place', async () => {
    // the schema as it was before this migration: the ones after it expect its tables
    const before = PROJECTION_MIGRATIONS.slice(0, PROJECTION_MIGRATIONS.indexOf(FoldedKeys1700000006000));
    expect(before).toHaveLength(6);
    const old = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, before);
    try {
      // A goal budget that counted one completion twice.
      await old.query(`INSERT INTO budgets (scope, scope_id, limit_usd, spent_usd, decisions, exhausted_count, updated_seq) VALUES ('goal', 'r-1', 1, 0.5, 2, 0, 3)`);
      await old.query(`INSERT INTO projection_checkpoint (projector, last_seq) VALUES ('runs@v1', 3), ('budgets@v1', 3), ('corrections@v1', 3), ('tasks@v1', 3), ('decisions@v1', 3)`);
    } finally {
      await old.destroy();
    }

    const db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS);
    try {
      expect(await db.query('SELECT * FROM budgets')).toEqual([]);
      for (const projector of [runsProjector, budgetsProjector, correctionsProjector, tasksProjector]) expect(await readCheckpoint(db, projector)).toBe(0);
      expect(await readCheckpoint(db, decisionsProjector)).toBe(3);
      expect(await db.query('SELECT count(*)::int AS n FROM runs_folded, budgets_folded, corrections_folded')).toEqual([{ n: 0 }]);
    } finally {
      await db.destroy();
    }
  });
});
