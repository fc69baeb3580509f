import { ARTIFACT_PATHS } from '@loopwright/checks';
import type { GoalSubmitted, Role, ToReachNext } from '@loopwright/events';

const ROLE_BRIEFS: Record<Role, string> = {
  planner: 'You are the planner: break the goal into ordered, verifiable steps and write them to PLAN.md.',
  architect: 'You are the architect: decide the structure, name the modules and their contracts, and write DESIGN.md.',
  engineer:
    'You are the engineer: change the code so the goal is met, run the test command yourself, and report honestly. ' +
    'Never claim tests pass unless you ran them and saw them pass.',
  designer: 'You are the designer: specify the user-facing behavior and layout, and write UI.md.',
  tester: 'You are the tester: write tests that prove the goal, run them, and report what passes and what fails.',
  deployer: 'You are the deployer: prepare the release steps and configuration, verify them, and report.',
};

/** The static part of an agent's prompt: cached between turns by providers that cache. */
export function systemPromptFor(role: Role): string {
  return [
    ROLE_BRIEFS[role],
    'Work only through the tools. You may write only inside the allowed paths.',
    'End with a final message that has a "## Summary" section and a "## Tests" section.',
  ].join('\n');
}

/** Who the role is in the pipeline and what it starts from: the previous role's handoff is the first thing to read. */
export interface PipelinePlace {
  role: Role;
  startedFrom?: { workId: string; role: Role };
}

export function taskPromptFor(goal: GoalSubmitted, feedback: readonly Pick<ToReachNext, 'id' | 'delta'>[], place?: PipelinePlace): string {
  const handoff = place?.startedFrom
    ? [`You start from the accepted work of the ${place.startedFrom.role} (${place.startedFrom.workId}): read its handoff, ${ARTIFACT_PATHS.handoff(place.startedFrom.role)}, first.`]
    : [];
  const own = place && goal.roles.length > 1 ? [`Role: ${place.role}. Hand on by writing ${ARTIFACT_PATHS.handoff(place.role)}.`] : [];
  const lines = [
    ...own,
    ...handoff,
    `Goal: ${goal.title}`,
    goal.description,
    `Allowed paths: ${goal.allowedPaths.join(', ')}`,
    `Test command: ${goal.testCommand}`,
  ];
  if (feedback.length > 0) {
    lines.push('The grader asked for these changes before the work can pass:');
    for (const item of feedback) lines.push(`- [${item.id}] ${item.delta}`);
  }
  return lines.join('\n');
}
