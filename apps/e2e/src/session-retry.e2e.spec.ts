import { createEvent } from '@loopwright/events';
import { FakeMessagesServer, messageReply, RecordedRequest, startFakeMessagesServer } from '@loopwright/models/testing';
import { InnerLoopHarness, modelServersEnv, ofType, until } from './harness';
import { startGullibleJudgeServer } from './scripted-agent';

const SUM_TEST = "const assert = require('node:assert/strict');\nconst { sum } = require('../src/sum');\nassert.equal(sum([1, 2, 3]), 6);\nconsole.log('ok');\n";
const SUM = 'module.exports = { sum: (xs) => xs.reduce((a, b) => a + b, 0) };\n';

/**
 * A model that answers differently the second time: its first session plans one thing and starts a
 * long command, and the executor is killed (-9) under it; the session runs again and does something
 * else. The retry is a new attempt: its steps are all in the log, the first attempt is marked
 * abandoned, and the grade reads the second attempt only.
 */
describe('a session retried after its executor was killed mid-session', () => {
  let harness: InnerLoopHarness;
  let agent: FakeMessagesServer;
  let judge: FakeMessagesServer;
  let sessions = 0;

  beforeAll(async () => {
    agent = await startFakeMessagesServer();
    agent.setHandler((request: RecordedRequest) => {
      const turn = (request.body.messages as { role: string }[]).filter((m) => m.role === 'assistant').length;
      if (turn === 0) sessions++;
      if (sessions === 1) {
        return messageReply([
          { type: 'text', text: 'Plan FIRST-ATTEMPT: look around for a long while.' },
          { type: 'tool_use', id: `toolu_a_${turn}`, name: 'run_command', input: { command: 'echo FIRST-ATTEMPT; sleep 300' } },
        ]);
      }
      const second = [
        { type: 'text' as const, text: 'Plan SECOND-ATTEMPT: write sum, then run the test.' },
        { type: 'tool_use' as const, id: `toolu_b_${turn}`, name: 'write_file', input: { path: 'src/sum.js', content: SUM } },
      ];
      if (turn === 0) return messageReply(second);
      if (turn === 1) return messageReply([{ type: 'tool_use', id: `toolu_b_${turn}`, name: 'run_command', input: { command: 'echo SECOND-ATTEMPT; node test/sum.test.js' } }]);
      return messageReply([{ type: 'text', text: '## Summary\nWrote sum (SECOND-ATTEMPT).\n\n## Tests\nI ran node test/sum.test.js: it passes.' }]);
    });
    judge = await startGullibleJudgeServer();
    harness = await InnerLoopHarness.open('retry', { LOOP_COMMAND_TIMEOUT_MS: '600000', LOOP_ACK_WAIT_MS: '3000' }, modelServersEnv('retry', agent.url, judge.url));
    await harness.start('router', 'executor', 'grader');
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await agent?.close();
    await judge?.close();
  });

  it('keeps both attempts in the log, marks the first abandoned, and grades the second only', async () => {
    await harness.log.append(
      createEvent({
        type: 'goal.submitted', aggregateId: 'run-retry', producer: 'submitter',
        data: {
          goalId: 'sum', title: 'Sum', description: 'sum(numbers) returns the total of an array of numbers.', roles: ['engineer'],
          allowedPaths: ['src/**'], testCommand: 'node test/sum.test.js', seedFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }],
          budgetUsd: 5, maxIterations: 1, maxTurns: 8, backend: 'local',
        },
      }),
    );
    await until(async () => ((await harness.log.readRun('run-retry')).some((e) => e.type === 'trace.step') ? true : undefined));
    await harness.stop('executor', 'SIGKILL');
    await harness.start('executor');
    const events = await until(async () => {
      const run = await harness.log.readRun('run-retry');
      return run.some((e) => e.type === 'run.graded' || e.type === 'task.completed' || e.type === 'task.failed') && run.some((e) => e.type === 'grade.recorded') ? run : undefined;
    });

    const steps = ofType(events, 'trace.step');
    expect(steps.filter((s) => (s.data.attempt ?? 1) === 1).map((s) => s.data.output)).toContain('Plan FIRST-ATTEMPT: look around for a long while.');
    expect(steps.filter((s) => s.data.attempt === 2 && s.data.step === 0).map((s) => s.data.output)).toEqual(['Plan SECOND-ATTEMPT: write sum, then run the test.']);
    expect(ofType(events, 'trace.abandoned').map((e) => e.data)).toEqual([expect.objectContaining({ attempt: 1, nextAttempt: 2 })]);

    const prompts = judge.requests.map((r) => JSON.stringify(r.body));
    expect(prompts.filter((p) => p.includes('SECOND-ATTEMPT')).length).toBeGreaterThan(0);
    expect(prompts.filter((p) => p.includes('FIRST-ATTEMPT'))).toEqual([]);
    expect(ofType(events, 'grade.recorded')).toHaveLength(1);
  }, 300_000);
});
