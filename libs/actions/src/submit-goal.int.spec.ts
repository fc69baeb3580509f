import { ValidationError } from '@loopwright/core';
import type { EventDataInput } from '@loopwright/events';
import { openTestLog } from '@loopwright/testing';
import { submitGoal } from './submit-goal';

const goal = (title: string): EventDataInput<'goal.submitted'> => ({
  goalId: 'g1', title, description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1,
});

describe('submitGoal', () => {
  let opened: Awaited<ReturnType<typeof openTestLog>>;
  beforeAll(async () => {
    opened = await openTestLog('submit-goal', 'submitter');
  });
  afterAll(() => opened.drop(), 30_000);

  it('keeps one goal per run when submitters race: the others are refused, naming the goal that won', async () => {
    const racers = Array.from({ length: 8 }, (_, i) => submitGoal(opened.log, 'run-race', goal(`goal ${i}`)));
    const outcomes = await Promise.allSettled(racers);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const { seq } = (won[0] as PromiseFulfilledResult<{ seq: number }>).value;
    for (const lost of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect(lost.reason).toBeInstanceOf(ValidationError);
      expect((lost.reason as Error).message).toContain(`run run-race already exists (its goal is at seq ${seq})`);
    }
    const goals = (await opened.log.readRun('run-race')).filter((e) => e.type === 'goal.submitted');
    expect(goals).toHaveLength(1);
  });

  it('takes the same goal sent again as the one already in the log, not as a second goal', async () => {
    const first = await submitGoal(opened.log, 'run-again', goal('same'));
    const again = await submitGoal(opened.log, 'run-again', goal('same')).catch((error: Error) => error);
    expect(again).toBeInstanceOf(ValidationError);
    expect((await opened.log.readRun('run-again')).filter((e) => e.type === 'goal.submitted').map((e) => e.seq)).toEqual([first.seq]);
  });
});
