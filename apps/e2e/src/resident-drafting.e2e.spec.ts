import { createEvent, EventDataInput, EventOf } from '@loopwright/events';
import { answerToolReply, chatReply, FakeChatCompletionsServer, FakeMessagesServer, startFakeChatCompletionsServer, startFakeMessagesServer } from '@loopwright/models/testing';
import { InnerLoopHarness, ofType, SeqEvent, until } from './harness';

const TEST = "const assert = require('node:assert/strict');\nassert.equal(require('../src/sum').sum([1, 2, 3]), 6);\n";
const SOLUTION = 'module.exports = { sum: (xs) => xs.reduce((a, b) => a + b, 0) };\n';
const RESIDENT_MODEL = 'qwen2.5-coder:7b';
const DRAFT_RULE = 'r-executor-engineer-draft-g1';

/** The small model's side of the conversation: write the file, run the tests, report. One reply per turn. */
function residentTurn(messages: { role: string }[]) {
  const turn = messages.filter((m) => m.role === 'assistant').length;
  if (turn === 0) return chatReply({ toolCalls: [{ id: 'call_1', name: 'write_file', arguments: JSON.stringify({ path: 'src/sum.js', content: SOLUTION }) }], model: RESIDENT_MODEL, usage: { prompt_tokens: 1_000, completion_tokens: 100 } });
  if (turn === 1) return chatReply({ toolCalls: [{ id: 'call_2', name: 'run_command', arguments: JSON.stringify({ command: 'node test/sum.test.js' }) }], model: RESIDENT_MODEL, usage: { prompt_tokens: 1_000, completion_tokens: 100 } });
  return chatReply({ content: '## Summary\nAdded sum in src/sum.js.\n\n## Tests\nRan `node test/sum.test.js`: all tests pass.', model: RESIDENT_MODEL, usage: { prompt_tokens: 1_000, completion_tokens: 100 } });
}

/**
 * Draft–lint–edit on real models' wire formats: once drafting is promoted to the resident tier,
 * the executor drafts on the small model LOOPWRIGHT_RESIDENT_* names (here a local server speaking
 * the OpenAI chat-completions format, as Ollama, vLLM and llama.cpp do), lints the draft, and the
 * frontier (a local server speaking the Messages API, on the executor's own key) edits it.
 */
describe('a resident model drafts, configured from the environment, and the frontier edits', () => {
  let harness: InnerLoopHarness;
  let resident: FakeChatCompletionsServer;
  let editor: FakeMessagesServer;
  let run: SeqEvent[];

  beforeAll(async () => {
    resident = await startFakeChatCompletionsServer();
    resident.setHandler((request) => residentTurn(request.body.messages));
    editor = await startFakeMessagesServer();
    editor.setHandler(() => answerToolReply({ verdict: 'approve', notes: [], files: [], remove: [] }));
    harness = await InnerLoopHarness.open('resident-drafting', {}, {
      executor: {
        ANTHROPIC_API_KEY: 'sk-ant-e2e-executor-key-0001',
        LOOPWRIGHT_MODEL_BASE_URL: editor.url,
        LOOPWRIGHT_RESIDENT_BACKEND: 'openai-compatible',
        LOOPWRIGHT_RESIDENT_BASE_URL: resident.url,
        LOOPWRIGHT_RESIDENT_ID: RESIDENT_MODEL,
        LOOPWRIGHT_RESIDENT_PRICE: '{"input": 0.1, "output": 0.4}',
      },
    });
    // Drafting promoted as the miner promotes it (proposed, validated, approved, promoted).
    const rule = (type: 'rule.proposed' | 'rule.validated' | 'rule.approved' | 'rule.promoted', data: object) =>
      harness.log.append(createEvent({ type, aggregateId: DRAFT_RULE, producer: type === 'rule.approved' ? 'submitter' : 'miner', data } as Parameters<typeof createEvent>[0]));
    await rule('rule.proposed', {
      ruleId: DRAFT_RULE, kind: 'resident', key: 'executor:engineer:draft', role: 'engineer', modelId: RESIDENT_MODEL, scopeCall: false,
      evidence: { support: 30, precision: 0.6, recall: 0.7, exampleEventIds: [] },
    } satisfies EventDataInput<'rule.proposed'>);
    await rule('rule.validated', { ruleId: DRAFT_RULE, golden: { checked: 0, changed: [] }, history: { precision: 0.6, recall: 0.7, n: 9 } });
    await rule('rule.approved', { ruleId: DRAFT_RULE, by: 'e2e', note: '' });
    await rule('rule.promoted', { ruleId: DRAFT_RULE, key: 'executor:engineer:draft', tier: 'resident', modelId: RESIDENT_MODEL, spotCheckRate: 0 });
    await harness.start('router', 'executor');
    await harness.submit('run-resident', 'greet', {
      title: 'Sum', description: 'Write src/sum.js exporting sum(numbers).', testCommand: 'node test/sum.test.js',
      seedFiles: [{ path: 'test/sum.test.js', content: TEST }], allowedPaths: ['src/**'], backend: 'local', labels: {}, maxTurns: 6,
    });
    run = await until(async () => {
      const events = (await harness.log.readRun('run-resident')) as SeqEvent[];
      return events.some((e) => e.type === 'work.produced') ? events : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await resident?.close();
    await editor?.close();
  });

  it('drafts on the resident model the variables name, through the chat-completions wire format, with the sandbox tools', () => {
    expect(resident.requests).toHaveLength(3);
    for (const request of resident.requests) {
      expect(request.body).toMatchObject({ model: RESIDENT_MODEL, tools: expect.arrayContaining([expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'write_file' }) })]) });
    }
    const draft = ofType(run, 'decision.completed').find((e) => e.data.key === 'executor:engineer:draft')!;
    expect(draft.data).toMatchObject({ tier: 'resident', verdict: 'finished', simulated: false, tokens: { input: 3_000, output: 300 } });
    expect(draft.data.costUsd).toBeCloseTo((3_000 * 0.1 + 300 * 0.4) / 1e6, 9);
  });

  it('lints the draft as a deterministic decision, then requests one editorial pass that the frontier answers on the executor\'s own key', () => {
    const lint = ofType(run, 'decision.completed').filter((e) => e.data.key === 'executor:engineer:lint');
    expect(lint.map((e) => [e.data.tier, e.data.verdict])).toEqual([['deterministic', 'pass']]);
    const edit = ofType(run, 'decision.requested').find((e) => e.data.key === 'executor:engineer:edit')!;
    expect(edit.data).toMatchObject({ features: { lint_passed: true, draft_attempts: 1 }, texts: [expect.stringContaining('## Summary'), expect.stringContaining(SOLUTION.trim())] });
    expect(editor.requests).toHaveLength(1);
    expect(editor.requests[0].headers.authorization ?? editor.requests[0].headers['x-api-key']).toContain('sk-ant-e2e-executor-key-0001');
    expect(ofType(run, 'decision.completed').find((e) => e.data.key === 'executor:engineer:edit')!.data).toMatchObject({ tier: 'frontier', verdict: 'approve' });
  });

  it('produces the resident\'s draft as the work, saying how it was drafted', () => {
    const [work] = ofType(run, 'work.produced') as EventOf<'work.produced'>[];
    expect(work.data).toMatchObject({ iteration: 1, files: ['src/sum.js'], endedBy: 'finished', drafting: { drafter: 'resident', stream: 'draft', edit: 'approve' } });
  });
});
