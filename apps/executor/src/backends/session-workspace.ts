import type { GoalSubmitted } from '@loopwright/events';
import type { ArtifactStore } from '@loopwright/eventlog';
import { decodeSnapshot, Workspace } from '@loopwright/sandbox';
import type { AgentAssignment } from '../domain/decide';

/**
 * The iteration's starting workspace: the goal's seed files, the previous role's accepted work over
 * them (its artifacts and handoff included), this task's previous iteration over that, and the
 * files the executor hands the role to read.
 */
export async function restoreStartingWorkspace(workspace: Workspace, goal: GoalSubmitted, assignment: AgentAssignment, artifacts: ArtifactStore): Promise<void> {
  await workspace.restore(goal.seedFiles);
  if (assignment.startedFrom) await workspace.restore(decodeSnapshot(await artifacts.get(assignment.startedFrom.artifactDigest)));
  if (assignment.previousArtifact) await workspace.restore(decodeSnapshot(await artifacts.get(assignment.previousArtifact)));
  if (assignment.inputs?.length) await workspace.restore(assignment.inputs);
}

/** The goal as one role's session sees it: the paths the role may write and its own turn budget. */
export function roleScopedGoal(goal: GoalSubmitted, assignment: Pick<AgentAssignment, 'allowedPaths' | 'maxTurns'>): GoalSubmitted {
  return { ...goal, allowedPaths: assignment.allowedPaths ?? goal.allowedPaths, maxTurns: assignment.maxTurns ?? goal.maxTurns };
}
