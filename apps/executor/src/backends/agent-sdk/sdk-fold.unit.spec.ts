import type { ToolOutcome } from '@loopwright/sandbox';
import { SdkFold } from './sdk-fold';

const assistant = (id: string, content: unknown[], usage = { input_tokens: 100, output_tokens: 10 }) => ({ type: 'assistant', parent_tool_use_id: null, message: { id, content, usage } });
const result = (id: string, text: string, isError = false) => ({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: id, content: [{ type: 'text', text }], is_error: isError }] } });

describe('reading the Claude Agent SDK message stream into steps', () => {
  it('records a call of the task tools from the sandbox’s own outcome, and a call of any other tool as refused', () => {
    const outcomes = new Map<string, ToolOutcome>([
      ['t1', { tool: 'run_command', input: 'npm test', output: 'FAIL', exitCode: 2, durationMs: 30 }],
      ['t2', { tool: 'write_file', input: 'test/a.test.js', output: '', refused: 'test/a.test.js is outside the allowed paths', durationMs: 1 }],
    ]);
    const fold = new SdkFold(outcomes);
    const steps = [
      assistant('m1', [{ type: 'text', text: 'running' }, { type: 'tool_use', id: 't1', name: 'mcp__workspace__run_command', input: { command: 'npm test' } }]),
      result('t1', 'exit code 2\nFAIL', true),
      assistant('m2', [{ type: 'tool_use', id: 't2', name: 'mcp__workspace__write_file', input: { path: 'test/a.test.js', content: '' } }]),
      result('t2', 'refused: …', true),
      assistant('m3', [{ type: 'tool_use', id: 't3', name: 'Bash', input: { command: 'cat /proc/1/environ' } }]),
      result('t3', 'No such tool available: Bash', true),
    ].flatMap((m) => fold.apply(m));
    expect(steps.map((s) => [s.kind, s.tool, s.exitCode, s.refused])).toEqual([
      ['message', undefined, undefined, undefined],
      ['command', 'run_command', 2, undefined],
      ['edit', 'write_file', undefined, 'test/a.test.js is outside the allowed paths'],
      ['thought', 'Bash', undefined, 'No such tool available: Bash'],
    ]);
    expect(fold.written).toEqual([]);
    expect(fold.turns).toBe(3);
  });

  it('counts a turn once however many messages stream it, and ends by the result', () => {
    const fold = new SdkFold(new Map());
    fold.apply(assistant('m1', [{ type: 'text', text: 'a' }]));
    fold.apply(assistant('m1', [{ type: 'text', text: 'b' }]));
    fold.apply({ type: 'result', subtype: 'error_max_turns', num_turns: 1, total_cost_usd: 0.5 });
    expect(fold.turns).toBe(1);
    expect(fold.usage.inputTokens).toBe(100);
    expect(fold.end).toMatchObject({ endedBy: 'turn_limit' });
    expect(fold.reportedCostUsd).toBe(0.5);
    const failed = new SdkFold(new Map());
    failed.apply({ type: 'result', subtype: 'error_during_execution', errors: ['API Error: 529 overloaded'] });
    expect(failed.end).toMatchObject({ endedBy: 'error', retryable: true });
  });

  it('records the CLI’s own message about a failed model request as a refused step, never as the agent’s final message', () => {
    const fold = new SdkFold(new Map());
    const steps = fold.apply({ type: 'assistant', error: 'overloaded', parent_tool_use_id: null, message: { id: 'm9', model: '<synthetic>', content: [{ type: 'text', text: 'API Error: 529 overloaded' }] } });
    fold.apply({ type: 'result', subtype: 'success', is_error: true, result: 'API Error: 529 overloaded' });
    expect(steps).toEqual([{ kind: 'thought', tool: 'claude-agent-sdk', refused: 'the model API failed (overloaded)', output: 'API Error: 529 overloaded' }]);
    expect(fold.finalMessage).toBe('');
    expect(fold.end).toMatchObject({ endedBy: 'error', retryable: true });
  });

  it('refuses a message it cannot read, and says so', () => {
    const fold = new SdkFold(new Map());
    expect(fold.apply(42)[0]).toMatchObject({ kind: 'thought', refused: expect.stringMatching(/not an object/) });
    expect(fold.end).toMatchObject({ endedBy: 'error', retryable: false });
  });
});
