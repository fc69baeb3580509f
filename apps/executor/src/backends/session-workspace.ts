import type { GoalSubmitted } from '@loopwright/events';
import type { ArtifactStore } from '@loopwright/eventlog';
import { decodeSnapshot, Workspace } from '@loopwright/sandbox';
import type { AgentAssignment } from '../domain/decide';

/** The iteration's starting workspace: the goal's seed files, then the previous iteration's work over them. */
export async function restoreStartingWorkspace(workspace: Workspace, goal: GoalSubmitted, assignment: AgentAssignment, artifacts: ArtifactStore): Promise<void> {
  await workspace.restore(goal.seedFiles);
  if (assignment.previousArtifact) await workspace.restore(decodeSnapshot(await artifacts.get(assignment.previousArtifact)));
}
