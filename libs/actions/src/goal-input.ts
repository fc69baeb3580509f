import { ValidationError } from '@loopwright/core';
import { EventDataInput, GoalSubmitted, uuidv7 } from '@loopwright/events';

/** A fresh run id: `run-` and the time-ordered part of a UUIDv7. */
export function newRunId(): string {
  return `run-${uuidv7().slice(0, 23).replace(/-/g, '')}`;
}

/**
 * A goal checked against the goal.submitted schema. An invalid one is a ValidationError naming every
 * field at fault, followed by `howToFix` (which differs between the command line and the console).
 */
export function parseGoal(candidate: unknown, howToFix: string): EventDataInput<'goal.submitted'> {
  const parsed = GoalSubmitted.safeParse(candidate);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(goal)', message: i.message }));
    throw new ValidationError(`the goal is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}. ${howToFix}`, issues);
  }
  return candidate as EventDataInput<'goal.submitted'>;
}
