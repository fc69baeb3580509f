import { readRuntimeEvent } from './runtime-events';
import { SessionFold } from './session-fold';

const at = (n: number) => `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z`;
let n = 0;
const ev = (type: string, body: Record<string, unknown> = {}) => ({ id: `sevt_${++n}`, type, processed_at: at(n % 60), ...body });

function fold(events: unknown[]) {
  const f = new SessionFold();
  const outputs = events.map((e) => f.apply(readRuntimeEvent(e)));
  return { fold: f, steps: outputs.flatMap((o) => o.steps), mirrors: outputs.flatMap((o) => o.mirrors), end: f.end };
}

describe('reading a Managed Agents session into steps', () => {
  it('records a failed command with the exit code its output names, else 1, and the files a shell command writes', () => {
    const use1 = ev('agent.tool_use', { name: 'bash', input: { command: 'npm test' } });
    const use2 = ev('agent.tool_use', { name: 'bash', input: { command: "sed -i 's/a/b/' src/x.js && echo ok > /workspace/out.txt" } });
    const use3 = ev('agent.tool_use', { name: 'bash', input: { command: 'false' } });
    const { steps } = fold([
      use1, ev('agent.tool_result', { tool_use_id: use1.id, content: [{ type: 'text', text: 'Tests failed\nExit code 3' }], is_error: true }),
      use2, ev('agent.tool_result', { tool_use_id: use2.id, content: [{ type: 'text', text: '' }], is_error: false }),
      use3, ev('agent.tool_result', { tool_use_id: use3.id, content: [], is_error: true }),
    ]);
    expect(steps.map((s) => [s.kind, s.input, s.exitCode, s.editedBy])).toEqual([
      ['command', 'npm test', 3, undefined],
      ['command', "sed -i 's/a/b/' src/x.js && echo ok > /workspace/out.txt", 0, undefined],
      ['edit', 'out.txt', undefined, 'shell'],
      ['edit', 'src/x.js', undefined, 'shell'],
      ['command', 'false', 1, undefined],
    ]);
  });

  it('keeps file paths relative to the workspace, repeats only successful edits inside it, and marks a denied call refused', () => {
    const write = ev('agent.tool_use', { name: 'write', input: { file_path: '/workspace/src/a.js', content: 'A' } });
    const outside = ev('agent.tool_use', { name: 'write', input: { file_path: '/etc/hosts', content: 'x' } });
    const failed = ev('agent.tool_use', { name: 'edit', input: { file_path: 'src/a.js', old_string: 'Z', new_string: 'Y' } });
    const denied = ev('agent.tool_use', { name: 'edit', input: { file_path: 'src/a.js', old_string: 'A', new_string: 'B' }, evaluated_permission: 'deny' });
    const { steps, mirrors, fold: f } = fold([
      write, ev('agent.tool_result', { tool_use_id: write.id, content: [{ type: 'text', text: 'ok' }] }),
      outside, ev('agent.tool_result', { tool_use_id: outside.id, content: [{ type: 'text', text: 'ok' }] }),
      failed, ev('agent.tool_result', { tool_use_id: failed.id, content: [{ type: 'text', text: 'old_string not found' }], is_error: true }),
      denied, ev('agent.tool_result', { tool_use_id: denied.id, content: [{ type: 'text', text: 'denied' }], is_error: true }),
    ]);
    expect(steps.map((s) => [s.path, s.refused])).toEqual([['src/a.js', undefined], ['/etc/hosts', undefined], ['src/a.js', undefined], ['src/a.js', "denied by the runtime's permission policy"]]);
    expect(steps[0].diff).toContain('+A');
    expect(mirrors).toEqual([{ kind: 'write', path: 'src/a.js', content: 'A' }]);
    expect(f.written).toEqual(['src/a.js', '/etc/hosts']);
  });

  it('ends by what stopped the session, and says whether another attempt could go otherwise', () => {
    const work = [ev('span.model_request_start'), ev('agent.message', { content: [{ type: 'text', text: 'working' }] })];
    const endOf = (...events: unknown[]) => fold([...work, ...events]).end;
    expect(endOf(ev('session.status_idle', { stop_reason: { type: 'end_turn' } }))).toMatchObject({ endedBy: 'finished' });
    expect(endOf(ev('session.status_idle', { stop_reason: { type: 'retries_exhausted' } }))).toMatchObject({ endedBy: 'error', retryable: true });
    expect(endOf(ev('session.status_idle', { stop_reason: { type: 'budget_reached' } }))).toMatchObject({ endedBy: 'cost_limit' });
    expect(endOf(ev('session.status_idle', { stop_reason: { type: 'requires_action', event_ids: ['sevt_x'] } }))).toMatchObject({ endedBy: 'error', retryable: false });
    expect(endOf(ev('session.error', { error: { type: 'billing_error', message: 'no credit', retry_status: { type: 'terminal' } } }))).toMatchObject({ endedBy: 'error', retryable: false });
    expect(endOf(ev('session.error', { error: { type: 'model_overloaded_error', message: 'busy', retry_status: { type: 'terminal' } } }))).toMatchObject({ retryable: true });
    expect(endOf(ev('session.error', { error: { type: 'model_overloaded_error', message: 'busy', retry_status: { type: 'retrying' } } }))).toBeUndefined();
    expect(endOf(ev('session.status_terminated'))).toMatchObject({ endedBy: 'error' });
    // A session is idle before it starts: that idle ends nothing.
    expect(fold([ev('session.status_idle', { stop_reason: { type: 'end_turn' } })]).end).toBeUndefined();
  });

  it('counts turns by model requests and tokens by their usage, and takes the runtime’s list cost as a floor', () => {
    const { fold: f } = fold([
      ev('span.model_request_start'), ev('span.model_request_end', { model_usage: { input_tokens: 10, output_tokens: 2, cache_creation_input_tokens: 3, cache_read_input_tokens: 4 } }),
      ev('span.model_request_start'), ev('span.model_request_end', { model_usage: { input_tokens: 5, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } }),
      ev('session.usage', { usage: { list_cost: { amount: '250', currency: 'USD' } } }),
    ]);
    expect(f.turns).toBe(2);
    expect(f.usage).toEqual({ inputTokens: 15, outputTokens: 3, cacheWriteTokens: 3, cacheReadTokens: 4 });
    expect(f.runtimeCostUsd).toBe(2.5);
  });

  it('gives the same steps for the same events: a session replayed after a restart numbers them the same', () => {
    const use = ev('agent.tool_use', { name: 'bash', input: { command: 'ls' } });
    const events = [ev('span.model_request_start'), use, ev('agent.tool_result', { tool_use_id: use.id, content: [{ type: 'text', text: 'a' }] }), ev('agent.message', { content: [{ type: 'text', text: 'done' }] })];
    expect(fold(events).steps).toEqual(fold(JSON.parse(JSON.stringify(events))).steps);
  });

  it('ignores everything after the end, and tells garbage from the unknown', () => {
    const { steps, end } = fold([ev('session.brand_new_kind', { x: 1 }), 'not an event', ev('agent.message', { content: [{ type: 'text', text: 'after' }] })]);
    expect(steps).toHaveLength(1);
    expect(steps[0].refused).toMatch(/must be an object with a string "id" and "type"/);
    expect(end).toMatchObject({ endedBy: 'error', retryable: false });
  });
});
