import type { FakeMessagesServer } from '@loopwright/models/testing';
import { InnerLoopHarness, ofType, until } from './harness';
import { startScriptedAgentServer } from './scripted-agent';

/**
 * A model that never stops calling tools, each call costing $0.06 (10,000 tokens in and 2,000 out at
 * Sonnet's prices), against a goal budget of $0.50: the session is stopped before a call the budget
 * cannot cover, and the run ends by budget, loudly.
 */
describe('a session that keeps calling tools past its budget', () => {
  let harness: InnerLoopHarness;
  let agent: FakeMessagesServer;

  beforeAll(async () => {
    const calls = Array.from({ length: 40 }, (_, i) => ({ name: 'run_command' as const, input: { command: `echo turn ${i}` } }));
    agent = await startScriptedAgentServer(new Map([['spender', { calls, finalMessage: 'done', usage: { input_tokens: 10_000, output_tokens: 2_000 } }]]));
    harness = await InnerLoopHarness.open(
      'budgetcap',
      { LOOP_DRAFT_ESTIMATE_USD: '0.1', LOOP_AGENT_TURN_ESTIMATE_USD: '0.06' },
      { executor: { ANTHROPIC_API_KEY: 'sk-ant-budget-cap-test-0001', LOOPWRIGHT_MODEL_BASE_URL: agent.url } },
    );
    await harness.start('router', 'executor');
  });

  afterAll(async () => {
    await harness?.close();
    await agent?.close();
  });

  it('is stopped with an overrun of exactly zero, and the run ends by budget with budget.exhausted', async () => {
    await harness.submit('run-spender', 'greet', { title: 'Spend [script:spender]', budgetUsd: 0.5, maxTurns: 40, maxIterations: 1, backend: 'local' });
    await harness.ended('run-spender');
    // run.ended follows the failed task: read the run once the executor has said how it ended.
    const events = await until(async () => {
      const run = await harness.log.readRun('run-spender');
      return run.some((e) => e.type === 'run.ended') ? run : undefined;
    });

    const spent = ofType(events, 'decision.completed').reduce((sum, e) => sum + e.data.costUsd, 0);
    const modelCalls = agent.requests.length;
    expect(modelCalls).toBe(8);
    expect(spent).toBeCloseTo(0.48, 9);
    expect(Math.max(0, spent - 0.5)).toBe(0);
    expect(ofType(events, 'task.failed')[0].data.reason).toMatch(/budget/);
    expect(ofType(events, 'run.ended').map((e) => [e.data.status, e.data.reason])).toEqual([['stuck', expect.stringMatching(/budget cannot cover/)]]);
    expect(ofType(events, 'work.produced')).toEqual([]);

    const notices = [];
    for await (const stored of harness.log.replay({ filter: `${harness.config.subjectRoot}.budget.>` })) notices.push(stored.event!);
    expect(notices.map((e) => e.type)).toEqual(['budget.exhausted']);
    expect(notices[0].data).toMatchObject({ scope: 'goal', scopeId: 'run-spender', limitUsd: 0.5 });
  }, 180_000);
});
