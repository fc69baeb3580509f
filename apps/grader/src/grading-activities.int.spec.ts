import { createEvent, EventDataInput, EventOf, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { createGradingDecider, GradingState } from '@loopwright/grading';
import { createProvider } from '@loopwright/models';
import { answerToolReply, FakeMessagesServer, startFakeMessagesServer } from '@loopwright/models/testing';
import { loadRubrics } from '@loopwright/rubrics';
import { encodeSnapshot } from '@loopwright/sandbox';
import { dropTestStream, testLogConfig } from '@loopwright/testing';
import { createGradingActivities } from './grading-activities';

const rubrics = loadRubrics();
const RUN = 'run-act';
const SUM_TEST = "const assert = require('node:assert/strict');\nassert.equal(require('../src/sum').sum([1, 2]), 3);\n";

describe('the grading activities, on a real artifact store and the real SDK', () => {
  let config: LogConfig;
  let log: EventLog;
  let judge: FakeMessagesServer;

  beforeAll(async () => {
    const base = testLogConfig('grading-activities');
    config = { ...base, producer: 'grader', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    log = await EventLog.open(config);
    judge = await startFakeMessagesServer();
  });
  afterAll(async () => {
    await log.close();
    await judge.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  async function stateWith(delivered: { path: string; content: string }[], workTestCommand = 'true') {
    const digest = await (await log.artifacts()).put(encodeSnapshot(delivered));
    const goal = createEvent({
      type: 'goal.submitted', aggregateId: RUN, producer: 'submitter',
      data: {
        goalId: 'sum', title: 'Sum', description: 'sum', roles: ['engineer'], allowedPaths: ['src/**'],
        testCommand: 'node test/sum.test.js', seedFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }], budgetUsd: 1,
      },
    });
    const work = createEvent({
      type: 'work.produced', aggregateId: RUN, producer: 'executor',
      data: {
        workId: `${RUN}-engineer-w1`, taskId: `${RUN}-engineer`, role: 'engineer', iteration: 1, artifactDigest: digest,
        files: delivered.map((f) => f.path), claims: { testsPass: true, testsRun: true, summary: '' },
        finalMessage: '## Summary\nDone.\n\n## Tests\nAll tests pass.', testCommand: workTestCommand, allowedPaths: ['**/**'],
        endedBy: 'finished', turnsUsed: 2, maxTurns: 10,
      },
    });
    const decider = createGradingDecider(rubrics, { judgeEstimateUsd: 0.01 });
    let state: GradingState = decider.initialState();
    for (const e of [goal, work] as LoopEvent[]) state = decider.evolve(state, e);
    return { decider, state, work: work as EventOf<'work.produced'> };
  }

  const activities = () =>
    createGradingActivities({
      rubrics, artifacts: () => log.artifacts(), commandTimeoutMs: 20_000, resident: async () => undefined,
      frontier: () => createProvider({ backend: 'anthropic', apiKey: 'test-key', baseURL: judge.url, model: 'claude-sonnet-4-6' }),
    });

  it("re-runs the goal's test command on the goal's test file, whatever the worker delivered or declared", async () => {
    const { state, work } = await stateWith(
      [
        { path: 'src/sum.js', content: 'module.exports = { sum: () => 0 };' },
        { path: 'test/sum.test.js', content: 'process.exit(0)' },
      ],
      'exit 0',
    );
    const [verified] = await activities().verify(state, [], work);
    expect(verified).toMatchObject({
      type: 'work.verified',
      data: {
        rerun: { command: 'node test/sum.test.js', exitCode: 1 },
        change: { created: ['src/sum.js'], modified: ['test/sum.test.js'], outOfScope: ['test/sum.test.js'] },
        features: { rerun_passed: false, out_of_scope_changes: 1 },
      },
    });
  });

  it('passes the re-run of right work', async () => {
    const { state, work } = await stateWith([
      { path: 'src/sum.js', content: 'module.exports = { sum: (xs) => xs.reduce((a, b) => a + b, 0) };' },
      { path: 'test/sum.test.js', content: SUM_TEST },
    ]);
    const [verified] = await activities().verify(state, [], work);
    expect(verified).toMatchObject({ data: { rerun: { exitCode: 0 }, features: { rerun_passed: true, out_of_scope_changes: 0 } } });
  });

  it('records what a text-reading resident reads of the work, and asks only judged items with it', async () => {
    const { decider, state, work } = await stateWith([
      { path: 'src/sum.js', content: 'module.exports = { sum: (xs) => xs.reduce((a, b) => a + b, 0) };' },
      { path: 'test/sum.test.js', content: SUM_TEST },
    ]);
    const [verified] = await activities().verify(state, [], work);
    const stored = createEvent(verified as Parameters<typeof createEvent>[0]) as EventOf<'work.verified'>;
    expect(stored.data.texts).toEqual([
      '## Summary\nDone.\n\n## Tests\nAll tests pass.',
      '// file: src/sum.js\nmodule.exports = { sum: (xs) => xs.reduce((a, b) => a + b, 0) };',
    ]);
    const requests = decider
      .decide(decider.evolve(state, stored), stored)
      .flatMap((i) => (i.kind === 'emit' && i.event.type === 'decision.requested' ? [i.event.data as EventDataInput<'decision.requested'>] : []));
    expect(requests.find((r) => r.item === 'correctness')?.texts).toEqual(stored.data.texts);
    expect(requests.find((r) => r.item === 'tests_pass_on_rerun')?.texts).toBeUndefined();
  });

  it('refuses a judge that contradicts the recorded re-run, asks once more, then hands the item to a person', async () => {
    const { decider, state: initial, work } = await stateWith([{ path: 'src/sum.js', content: 'module.exports = { sum: () => 0 };' }]);
    const acts = activities();
    let state = initial;
    const [verified] = await acts.verify(state, [], work);
    state = decider.evolve(state, createEvent(verified) as LoopEvent);
    const item = state.works.get(work.data.workId)!.items.find((i) => i.itemId === 'correctness')!;
    const routed = createEvent({
      type: 'decision.routed', aggregateId: RUN, producer: 'router',
      data: { decisionId: item.decisionId, key: item.key, tier: 'frontier', reason: 'test', reservedUsd: 0.01 },
    });
    const lie = answerToolReply({ score: 5, evidence: 'the tests pass', reasoning: 'as the worker says', rerunPassed: true });
    const before = judge.requests.length;
    judge.reply(lie, lie);
    const [completed, review] = await acts.judge(state, { kind: 'judge', tier: 'frontier', item, routed, shadow: false }, []);
    expect(judge.requests.length - before).toBe(2);
    expect(JSON.stringify(judge.requests.at(-1)!.body)).toMatch(/previous answer was refused: the answer says the re-run passed/);
    expect(completed).toMatchObject({ type: 'decision.completed', data: { tier: 'human', verdict: 'unusable', escalatedFrom: 'frontier' } });
    expect(review).toMatchObject({ type: 'review.requested', data: { reason: 'model-unusable', summary: expect.stringMatching(/inconsistent with the record/) } });

    judge.reply(lie, answerToolReply({ score: 2, evidence: 'sum returns 0', reasoning: 'the re-run fails', rerunPassed: false }));
    const [honest] = await acts.judge(state, { kind: 'judge', tier: 'frontier', item, routed, shadow: false }, []);
    expect(honest).toMatchObject({ data: { tier: 'frontier', verdict: '2' } });
  });
});
