import type { GoalSubmitted, LoopEvent } from '@loopwright/events';
import { clip } from '@loopwright/importers';
import { taskPromptFor } from '../agent/role-prompts';
import type { AgentAssignment } from '../domain/decide';

export interface Handoff {
  role: string;
  finalMessage: string;
}

/** What the roles before this one handed over: the final message of each completed task's last work. */
export function handoffsOf(events: readonly LoopEvent[], assignment: AgentAssignment): Handoff[] {
  const completed = new Set(events.flatMap((e) => (e.type === 'task.completed' && e.data.taskId !== assignment.taskId ? [e.data.taskId] : [])));
  const last = new Map<string, Handoff>();
  for (const e of events) {
    if (e.type === 'work.produced' && completed.has(e.data.taskId)) last.set(e.data.taskId, { role: e.data.role, finalMessage: e.data.finalMessage });
  }
  return [...last.values()];
}

/** The task as an agent runtime's session is opened with it: the goal, the handoffs, the grader's feedback. */
export function taskBrief(goal: GoalSubmitted, assignment: AgentAssignment, handoffs: readonly Handoff[]): string {
  const lines = [taskPromptFor(goal, assignment.feedback, assignment)];
  if (handoffs.length > 0) {
    lines.push('', 'What the roles before you handed over:');
    for (const h of handoffs) lines.push(`### ${h.role}`, clip(h.finalMessage, 2_000));
  }
  return lines.join('\n');
}
