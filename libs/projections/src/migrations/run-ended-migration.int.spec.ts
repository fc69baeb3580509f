import { createEvent } from '@loopwright/events';
import { applyBatch, ALL_PROJECTIONS, lowestCheckpoint, readCheckpoint, RunEnded1700000005000, runsProjector, tasksProjector } from '../index';
import { useMigrationSchema } from '../testing/migration-schema';

describe('the run.ended migration', () => {
  const schema = useMigrationSchema('run_ended_migration', RunEnded1700000005000);

  it('starts the runs projection over, so run.ended events already in the log are projected; other projections keep their place', async () => {
    expect(schema.earlier).toHaveLength(5);
    await schema.before(async (old) => {
      // What the projection held before: a run shown completed after a review accepted mid-pipeline.
      await old.query(`INSERT INTO runs (run_id, goal_id, title, roles, backend, simulated, budget_usd, status, iterations, roles_completed, cost_usd,
        run_ordinal, submitted_at, submitted_seq, updated_seq) VALUES ('r-1', 'g', 'Goal', '["architect","engineer"]', 'sim', true, 1, 'completed', 1, '[]', 0, 1, now(), 1, 3)`);
      await old.query(`INSERT INTO projection_checkpoint (projector, last_seq) VALUES ('runs@v1', 3), ('tasks@v1', 3)`);
    });

    await schema.after(async (db) => {
      expect(await db.query('SELECT * FROM runs')).toEqual([]);
      expect(await readCheckpoint(db, runsProjector)).toBe(0);
      expect(await readCheckpoint(db, tasksProjector)).toBe(3);
      expect(await lowestCheckpoint(db, ALL_PROJECTIONS)).toBe(0);

      const run = { aggregateId: 'r-1', producer: 'executor' as const };
      await applyBatch(db, runsProjector, [
        {
          seq: 1,
          event: createEvent({
            type: 'goal.submitted', ...run, producer: 'submitter',
            data: { goalId: 'g', title: 'Goal', description: 'd', roles: ['architect', 'engineer'], allowedPaths: ['src/**'], testCommand: 't', budgetUsd: 1, backend: 'sim' },
          }),
        },
        {
          seq: 4,
          event: createEvent({
            type: 'run.ended', ...run,
            data: { runId: 'r-1', status: 'blocked-on-questions', reason: 'a person must answer', tasks: [{ role: 'architect', status: 'review' }, { role: 'engineer', status: 'blocked' }] },
          }),
        },
      ]);
      expect(await db.query('SELECT status, end_reason, role_states FROM runs')).toEqual([
        { status: 'blocked-on-questions', end_reason: 'a person must answer', role_states: [{ role: 'architect', status: 'review' }, { role: 'engineer', status: 'blocked' }] },
      ]);
    });
  });
});
