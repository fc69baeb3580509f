import { ValidationError } from '@loopwright/core';
import type { AgentMessage, ContentBlock, ToolSpec, TurnRequest, TurnResult } from '../provider';
import { simWorkload } from '../testing/sim-workload-fixture';
import type { SimAgentContext } from './sim-context';
import { createSimProvider } from './sim-provider';
import { DEFECTS } from './workload';

const TOOLS: ToolSpec[] = ['list_files', 'read_file', 'write_file', 'run_command'].map((name) => ({
  name,
  description: name,
  inputSchema: { type: 'object' },
}));

const context = (over: Partial<SimAgentContext> = {}): SimAgentContext => ({
  seed: 'walk',
  taskId: 'task-7',
  iteration: 1,
  goal: { id: 'sum', testCommand: 'node test/sum.test.js', allowedPaths: ['src/**'], maxTurns: 12 },
  feedback: [],
  ...over,
});

/** Drives the agent as the executor would, answering each tool call with a canned tool_result. */
async function walk(provider: ReturnType<typeof createSimProvider>, sim: SimAgentContext) {
  const messages: AgentMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'Write src/sum.js.' }] }];
  const turns: TurnResult[] = [];
  while (turns.length < sim.goal.maxTurns) {
    const req: TurnRequest = { purpose: 'executor:engineer:draft', system: 'You are an engineer.', messages: structuredClone(messages), tools: TOOLS, sim };
    const turn = await provider.turn(req);
    turns.push(turn);
    messages.push({ role: 'assistant', content: turn.content });
    if (turn.stopReason !== 'tool_use') break;
    const results: ContentBlock[] = turn.content.flatMap((b) =>
      b.type === 'tool_use' ? [{ type: 'tool_result' as const, tool_use_id: b.id, content: b.name === 'run_command' ? 'exit 0' : 'ok' }] : [],
    );
    messages.push({ role: 'user', content: results });
  }
  const calls = turns.flatMap((t) => t.content.flatMap((b) => (b.type === 'tool_use' ? [b] : [])));
  return { turns, calls };
}

describe('sim agent', () => {
  it('walks a clean plan to a final report, every turn simulated and priced', async () => {
    const spec = simWorkload();
    const { turns, calls } = await walk(createSimProvider({ workload: spec }), context());

    expect(calls.map((c) => c.name)).toEqual(expect.arrayContaining(['list_files', 'write_file', 'run_command']));
    expect(calls[1].input).toMatchObject({ path: 'src/sum.js', content: expect.stringContaining(spec.goals[0].solution[0].content) });
    expect(calls.at(-1)!.input).toEqual({ command: 'node test/sum.test.js' });
    expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);
    const last = turns.at(-1)!;
    expect(last.stopReason).toBe('end_turn');
    expect(last.content).toEqual([{ type: 'text', text: expect.stringMatching(/## Tests\n.*node test\/sum\.test\.js.*pass/) }]);
    for (const turn of turns) {
      expect(turn).toMatchObject({ simulated: true, model: 'sim-frontier' });
      expect(turn.costUsd).toBeGreaterThan(0);
      expect(turn.usage.inputTokens).toBeGreaterThan(0);
    }
    // The conversation grows, so later turns read more input.
    expect(turns.at(-1)!.usage.inputTokens).toBeGreaterThan(turns[0].usage.inputTokens);
  });

  it('walks a plan with every defect until the executor stops it at maxTurns', async () => {
    const spec = simWorkload({ defects: Object.fromEntries(DEFECTS.map((d) => [d, 1])) });
    const { turns, calls } = await walk(createSimProvider({ workload: spec, tier: 'resident' }), context());

    expect(turns).toHaveLength(12);
    expect(turns.every((t) => t.stopReason === 'tool_use' && t.model === 'sim-resident')).toBe(true);
    expect(calls.slice(0, 6).map((c) => [c.name, c.input])).toEqual([
      ['list_files', { path: '.' }],
      ['write_file', { path: 'src/sum.js', content: expect.stringContaining(spec.goals[0].buggy[0].content) }],
      ['write_file', { path: 'config/settings.json', content: expect.any(String) }],
      ['run_command', { command: 'node test/missing.test.js' }],
      ['run_command', { command: 'node test/missing.test.js' }],
      ['run_command', { command: 'node test/missing.test.js' }],
    ]);
    expect(calls.slice(6).every((c) => c.name === 'list_files')).toBe(true);
  });

  it('at iteration 2 with fixOnFeedback 1, the same task runs clean', async () => {
    const spec = simWorkload({ defects: Object.fromEntries(DEFECTS.map((d) => [d, 1])), fixOnFeedback: 1 });
    const { calls, turns } = await walk(createSimProvider({ workload: spec }), context({ iteration: 2, feedback: ['run the tests'] }));
    expect(calls.filter((c) => c.name === 'write_file')).toHaveLength(1);
    expect(calls.at(-1)!.input).toEqual({ command: 'node test/sum.test.js' });
    expect(turns.at(-1)!.content[0]).toMatchObject({ text: expect.stringContaining('Revised after review feedback') });
  });

  it('a resident provider writes the resident\'s drafts: its own defect rates', async () => {
    const spec = simWorkload({ resident: { defects: { ...Object.fromEntries(DEFECTS.map((d) => [d, 0])), broken_code: 1 } as never } });
    const frontier = await walk(createSimProvider({ workload: spec }), context());
    const resident = await walk(createSimProvider({ workload: spec, tier: 'resident' }), context());
    expect(frontier.calls[1].input).toMatchObject({ content: expect.stringContaining(spec.goals[0].solution[0].content) });
    expect(resident.calls[1].input).toMatchObject({ content: expect.stringContaining(spec.goals[0].buggy[0].content) });
  });

  it('refuses a request without its context, an unknown goal, or without the tools it needs', async () => {
    const provider = createSimProvider({ workload: simWorkload() });
    const base: TurnRequest = { purpose: 'p', system: '', messages: [], tools: TOOLS };
    await expect(provider.turn(base)).rejects.toThrow(ValidationError);
    await expect(provider.turn({ ...base, sim: context({ goal: { ...context().goal, id: 'nope' } }) })).rejects.toThrow(/no goal "nope"/);
    await expect(provider.turn({ ...base, tools: [], sim: context() })).rejects.toThrow(/needs the tool list_files/);
  });
});
