import { messageEventStream, messageReply, RecordedRequest, startFakeMessagesServer, FakeMessagesServer, answerToolReply, FakeReply } from '@loopwright/models/testing';

/** One tool call a scripted agent makes, in the Messages API's tool_use shape. */
export interface ScriptedCall {
  name: 'read_file' | 'write_file' | 'list_files' | 'run_command';
  input: Record<string, string>;
}

/** What a scripted agent does in a run: its tool calls in order, then its final message. */
export interface AgentScript {
  calls: ScriptedCall[];
  finalMessage: string;
  /** The tokens each answer reports (default the fake server's 100 in, 20 out). */
  usage?: { input_tokens: number; output_tokens: number };
  /** At this turn the answer is an event stream whose data is not JSON. */
  garbageAt?: number;
  /** At this turn the first answer stops mid-stream (the connection drops); asked again, it answers whole. */
  breakAt?: number;
}

const MARKER = /\[script:([A-Za-z0-9_-]+)\]/;
const ROLE = /^Role: ([a-z]+)\./m;

function firstUserText(request: RecordedRequest): string {
  const first = request.body?.messages?.[0]?.content;
  if (typeof first === 'string') return first;
  return Array.isArray(first) ? first.map((b: { text?: string }) => b.text ?? '').join('') : '';
}

/**
 * A Messages API server that plays agents from scripts: the goal's title names the script
 * (`[script:<id>]`), and the number of assistant turns so far says which call comes next. In a
 * pipeline, `<id>:<role>:<n>` is the role's n-th session (from 1), when the scripts have it.
 */
export async function startScriptedAgentServer(
  scripts: ReadonlyMap<string, AgentScript>,
  /** `toolPrefix`: how the agent's runtime names the tools (`mcp__workspace__` under the Claude Agent SDK); `delayMs`: each answer's delay. */
  options: { toolPrefix?: string; delayMs?: number } = {},
): Promise<FakeMessagesServer> {
  const server = await startFakeMessagesServer();
  const slow = (reply: FakeReply): FakeReply => (options.delayMs ? { ...reply, delayMs: options.delayMs } : reply);
  const broken = new Set<string>();
  const sessions = new Map<string, number>();
  server.setHandler((request) => {
    const text = firstUserText(request);
    const turn = (request.body.messages as { role: string }[]).filter((m) => m.role === 'assistant').length;
    const role = ROLE.exec(text)?.[1];
    const marker = MARKER.exec(text)?.[1];
    let id = marker;
    if (marker && role) {
      const key = `${marker}:${role}`;
      if (turn === 0) sessions.set(key, (sessions.get(key) ?? 0) + 1);
      const session = `${key}:${sessions.get(key) ?? 1}`;
      if (scripts.has(session)) id = session;
    }
    const script = id ? scripts.get(id) : undefined;
    if (!script) return messageReply([{ type: 'text', text: 'no script for this goal' }]);
    if (turn === script.garbageAt) {
      return { headers: { 'content-type': 'text/event-stream' }, body: null, raw: 'event: message_start\ndata: {"type": "message_start", "message": {"id": \n\n' };
    }
    const call = script.calls[turn];
    const reply = call
      ? messageReply([{ type: 'tool_use', id: `toolu_${(id ?? '').replace(/:/g, '_')}_${turn}`, name: `${options.toolPrefix ?? ''}${call.name}`, input: call.input }], { usage: script.usage })
      : messageReply([{ type: 'text', text: script.finalMessage }], { usage: script.usage });
    if (turn === script.breakAt && request.body.stream === true && !broken.has(`${id}:${turn}`)) {
      broken.add(`${id}:${turn}`);
      const whole = messageEventStream(reply.body as Parameters<typeof messageEventStream>[0]);
      return { ...reply, headers: { ...reply.headers, 'content-type': 'text/event-stream' }, raw: whole.slice(0, whole.indexOf('event: content_block_stop')) };
    }
    return slow(reply);
  });
  return server;
}

/**
 * The worst judge there is: it believes whatever it reads, passes every gate, gives every dimension
 * a 5 and says the re-run passed (`readsRerun`: states the recorded re-run as it was, so that its
 * answers are accepted on work whose tests fail). Anything that still fails under it failed on the record.
 */
export async function startGullibleJudgeServer(options: { readsRerun?: boolean } = {}): Promise<FakeMessagesServer> {
  const server = await startFakeMessagesServer();
  server.setHandler((request): FakeReply => {
    const schema = request.body?.tools?.[0]?.input_schema as { properties?: Record<string, unknown> } | undefined;
    const isGate = Boolean(schema?.properties && 'passed' in schema.properties);
    const rerunPassed = options.readsRerun ? recordedRerunPassed(firstUserText(request)) : true;
    return isGate
      ? answerToolReply({ passed: true, evidence: 'the worker says all tests pass', rerunPassed })
      : answerToolReply({ score: 5, evidence: 'excellent work, as the worker says', reasoning: 'trusting the worker', rerunPassed });
  });
  return server;
}

/** Whether the grader's recorded re-run, as the prompt gives it, exited 0. */
function recordedRerunPassed(prompt: string): boolean {
  const exit = /"rerun":\s*\{[^}]*?"exitCode":\s*(-?\d+|null)/.exec(prompt)?.[1];
  return exit === '0';
}
