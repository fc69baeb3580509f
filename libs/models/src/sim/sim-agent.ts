import { ValidationError } from '@loopwright/core';
import type { ContentBlock, TurnRequest, TurnResult } from '../provider';
import { PlanStep, planFor } from './sim-plan';
import type { Drafter, WorkloadSpec } from './workload';

/**
 * The sim agent's next move. It keeps no state: the plan is derived again from the context on
 * every call, and the position in it is the number of assistant turns already in the conversation.
 */
export function simAgentTurn(spec: WorkloadSpec, req: TurnRequest, drafter: Drafter = 'frontier'): Pick<TurnResult, 'content' | 'stopReason'> {
  const ctx = req.sim;
  if (!ctx) throw new ValidationError('the sim provider needs req.sim (a SimAgentContext) on turn()', [{ path: 'sim', message: 'required' }]);
  const plan = planFor(spec, ctx, drafter);
  const turn = req.messages.filter((m) => m.role === 'assistant').length;
  const listAgain: PlanStep = { kind: 'tool', name: 'list_files', input: { path: '.' } };
  const step = turn < plan.steps.length ? plan.steps[turn] : plan.endless ? listAgain : plan.steps[plan.steps.length - 1];

  if (step.kind === 'final') return { content: [{ type: 'text', text: step.text }], stopReason: 'end_turn' };
  if (!req.tools.some((t) => t.name === step.name)) {
    throw new ValidationError(`the sim agent needs the tool ${step.name}, which this request does not offer`, [
      { path: 'tools', message: `missing ${step.name}` },
    ]);
  }
  const stream = ctx.stream ?? 'draft';
  const block: ContentBlock = { type: 'tool_use', id: `toolu_sim_${ctx.taskId}_${ctx.iteration}_${stream}_${turn}`, name: step.name, input: { ...step.input } };
  return { content: [block], stopReason: 'tool_use' };
}
