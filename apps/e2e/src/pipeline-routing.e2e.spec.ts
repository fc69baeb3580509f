import { createEvent, EventDataInput } from '@loopwright/events';
import type { FakeMessagesServer } from '@loopwright/models/testing';
import { InnerLoopHarness, modelServersEnv, ofType, SeqEvent, until } from './harness';
import { AgentScript, ScriptedCall, startGullibleJudgeServer, startScriptedAgentServer } from './scripted-agent';

/**
 * The pipeline with its feedback routes, against the real services: scripted role agents behind
 * the Messages API and a judge that passes everything it is asked, so every failure below is the
 * record's own (deterministic gates), and where it goes is the grader's route and the executor's.
 */

const GREET_TEST = "const assert = require('node:assert/strict');\nconst { greet } = require('../src/greet');\nassert.equal(greet('Ada'), 'Hello, Ada!');\nconsole.log('greet: all assertions hold');\n";
const GREET = "module.exports = { greet: (name) => `Hello, ${name || 'world'}!` };\n";
const PAGE = '<!doctype html>\n<title>Greet</title>\n<output id="greeting"></output>\n';
const SUM_TEST = "const assert = require('node:assert/strict');\nconst { sum } = require('../src/sum');\nassert.equal(sum([1, 2, 3]), 6);\nconsole.log('sum: all assertions hold');\n";

const write = (path: string, content: string): ScriptedCall => ({ name: 'write_file', input: { path, content } });
const json = (path: string, value: unknown) => write(path, `${JSON.stringify(value, null, 2)}\n`);
const run = (command: string): ScriptedCall => ({ name: 'run_command', input: { command } });
const REPORT = (what: string) => `## Summary\n${what}\n\n## Tests\nRan \`node test/greet.test.js\`: all tests pass.`;

function handoff(from: string, to: string[], files: string[], nextAction: string): ScriptedCall {
  return json(`.loopwright/handoffs/${from}.json`, {
    from, to, complete: [{ item: `the ${from}'s part`, evidence: ['node test/greet.test.js: passes'] }], files,
    assumptions: [{ text: 'an empty name greets the world', verifyBy: 'read test/greet.test.js' }], risks: [], evidence: [{ claim: 'tests pass', ref: 'node test/greet.test.js' }], nextAction,
  });
}

function review(location: string): ScriptedCall {
  return json('.loopwright/review-report.json', {
    subject: 'the greeting module and its page', verdict: 'approved-with-conditions',
    findings: [{ severity: 'medium', area: 'error handling', location, evidence: 'an empty name shows "Hello, !"', why: 'the page greets nobody', remediation: `change ${location.split(':')[0]} so an empty name greets the world` }],
    conditions: ['an empty name greets the world'], residualRisks: [], checklist: [{ area: 'error handling', status: 'examined' }], nextStep: 'the engineer makes the change',
  });
}

const UPSTREAM = 'upstream';
const CEILING = 'ceiling';
const scripts = new Map<string, AgentScript>([
  // The architect's first review tells the engineer to change the designer's page: the engineer does, outside its boundary.
  [`${UPSTREAM}:architect:1`, { calls: [review('ui/greet.html:3'), handoff('architect', ['engineer', 'designer'], [], 'change ui/greet.html as the review says')], finalMessage: '## Summary\nReviewed; one finding.\n\n## Tests\nNone: a review.' }],
  [`${UPSTREAM}:engineer:1`, { calls: [write('src/greet.js', GREET), write('ui/greet.html', PAGE), handoff('engineer', ['designer'], ['src/greet.js', 'ui/greet.html'], 'style the page'), run('node test/greet.test.js')], finalMessage: REPORT('Wrote src/greet.js and fixed ui/greet.html as the review asked.') }],
  // Sent back, the architect points the finding at the engineer's own module.
  [`${UPSTREAM}:architect:2`, { calls: [review('src/greet.js:1'), handoff('architect', ['engineer', 'designer'], [], 'change src/greet.js as the review says')], finalMessage: '## Summary\nRevised the review: the finding is in src/greet.js.\n\n## Tests\nNone: a review.' }],
  [`${UPSTREAM}:engineer:2`, { calls: [write('src/greet.js', GREET), handoff('engineer', ['designer'], ['src/greet.js'], 'build ui/greet.html on greet()'), run('node test/greet.test.js')], finalMessage: REPORT('Wrote src/greet.js.') }],
  [`${UPSTREAM}:designer:1`, { calls: [write('ui/greet.html', PAGE), run('node test/greet.test.js')], finalMessage: REPORT('Wrote ui/greet.html.') }],
  // The tester's probes fail on code no stage of this goal may change: only a person can decide.
  [`${CEILING}:tester:1`, {
    calls: [
      write('test/sum.test.js', SUM_TEST),
      json('.loopwright/probe-plan.json', {
        probes: [{ id: 'P1', tier: 'smoke', criticalArea: 'deployment_correctness', command: 'node test/sum.test.js', expect: { exitCode: 0 }, sourceRef: { quote: 'sum(numbers) returns the total', source: 'goal' } }],
      }),
      json('.loopwright/handoffs/tester.json', {
        from: 'tester', to: ['deployer'], complete: [], inProgress: [{ item: 'sum', remaining: 'sum([1, 2, 3]) is 0, not 6' }], files: ['test/sum.test.js'],
        assumptions: [], risks: [{ text: 'src/sum.js is wrong', closeBy: 'someone who may change it' }], evidence: [{ claim: 'the probe fails', ref: 'node test/sum.test.js' }], nextAction: 'do not deploy until src/sum.js is fixed',
      }),
      run('node test/sum.test.js'),
    ],
    finalMessage: '## Summary\nThe probe fails: sum([1, 2, 3]) returns 0.\n\n## Tests\nRan `node test/sum.test.js`: it fails.',
  }],
]);

describe('the pipeline\'s feedback routes, end to end (router, executor, grader as processes)', () => {
  let harness: InnerLoopHarness;
  let agent: FakeMessagesServer;
  let judge: FakeMessagesServer;

  const submit = (runId: string, data: EventDataInput<'goal.submitted'>) => harness.log.append(createEvent({ type: 'goal.submitted', aggregateId: runId, producer: 'submitter', data }));
  const ended = (runId: string) =>
    until(async () => {
      const events = (await harness.log.readRun(runId)) as SeqEvent[];
      return events.some((e) => e.type === 'run.ended') ? events : undefined;
    });

  beforeAll(async () => {
    agent = await startScriptedAgentServer(scripts);
    judge = await startGullibleJudgeServer({ readsRerun: true });
    harness = await InnerLoopHarness.open('pipeline-routes', { LOOP_COMMAND_TIMEOUT_MS: '20000' }, modelServersEnv('pipeline', agent.url, judge.url));
    await harness.start('router', 'executor', 'grader');
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await agent?.close();
    await judge?.close();
  });

  it('sends an upstream-structural item back to the architect, re-runs the engineer from the revised review, and finishes the pipeline', async () => {
    await submit('run-upstream', {
      goalId: 'greet', title: `Greet by name [script:${UPSTREAM}]`, description: 'greet(name) returns "Hello, <name>!", and a page shows it.',
      roles: ['architect', 'engineer', 'designer'], allowedPaths: ['src/**', 'ui/**'], testCommand: 'node test/greet.test.js',
      seedFiles: [{ path: 'test/greet.test.js', content: GREET_TEST }], budgetUsd: 5, maxIterations: 3, maxTurns: 12, backend: 'local',
    });
    const events = await ended('run-upstream');
    const grades = ofType(events, 'grade.recorded');
    const first = grades.find((g) => g.data.role === 'engineer' && g.data.iteration === 1)!;
    expect(first.data.passed).toBe(false);
    const implementation = first.data.rubrics.find((r) => r.rubricId === 'implementation')!;
    expect(implementation.gates.find((g) => g.id === 'file_ownership')).toMatchObject({ passed: false, tier: 'deterministic' });
    expect(implementation.toReachNext.find((t) => t.id === 'file_ownership')).toMatchObject({ fixType: 'upstream-structural', stage: 'architect' });
    expect(first.data.route).toMatchObject({ fixType: 'upstream-structural', stage: 'architect', items: ['file_ownership'] });

    const starts = ofType(events, 'task.started').map((s) => [s.data.role, s.data.iteration, s.data.cause, s.data.startedFrom?.workId]);
    expect(starts).toEqual([
      ['architect', 1, 'draft', undefined],
      ['engineer', 1, 'draft', 'run-upstream-architect-w1'],
      ['architect', 2, 'revision', undefined],
      ['engineer', 2, 'upstream', 'run-upstream-architect-w2'],
      ['designer', 1, 'draft', 'run-upstream-engineer-w2'],
    ]);
    const sentBack = ofType(events, 'task.started').find((s) => s.data.role === 'architect' && s.data.iteration === 2)!;
    expect(sentBack.data.feedback).toEqual([expect.objectContaining({ id: 'file_ownership', fixType: 'upstream-structural', delta: expect.stringMatching(/cause lies with the architect/) })]);
    // Each role's session was held to its own paths and budget: the architect may write only its artifacts.
    expect(ofType(events, 'task.started')[0].data).toMatchObject({ allowedPaths: ['.loopwright/review-report.json', '.loopwright/handoffs/architect.json'], maxTurns: 12 });
    // The engineer's re-run started from the revised review, not from its own out-of-bounds change.
    const rerun = ofType(events, 'work.produced').find((w) => w.data.role === 'engineer' && w.data.iteration === 2)!;
    expect(rerun.data.startedFrom).toEqual({ workId: 'run-upstream-architect-w2' });
    const verified = ofType(events, 'work.verified').find((v) => v.data.workId === rerun.data.workId)!;
    expect(verified.data.change.created).toEqual(['.loopwright/handoffs/engineer.json', 'src/greet.js']);
    expect(grades.filter((g) => g.data.passed).map((g) => [g.data.role, g.data.iteration])).toEqual([['architect', 1], ['architect', 2], ['engineer', 2], ['designer', 1]]);
    // Every role that hands on was graded on its handoff too.
    for (const role of ['architect', 'engineer'] as const) expect(grades.filter((g) => g.data.role === role).every((g) => g.data.rubrics.some((r) => r.rubricId === 'handoff'))).toBe(true);
    expect(ofType(events, 'run.ended').map((e) => e.data)).toEqual([
      expect.objectContaining({ status: 'done', tasks: [{ role: 'architect', status: 'completed' }, { role: 'engineer', status: 'completed' }, { role: 'designer', status: 'completed' }] }),
    ]);
  }, 300_000);

  it('turns a tier-ceiling item into a review for a person, without another iteration, and blocks the deployer', async () => {
    await submit('run-ceiling', {
      goalId: 'sum', title: `Sum [script:${CEILING}]`, description: 'sum(numbers) returns the total of an array of numbers.',
      roles: ['tester', 'deployer'], allowedPaths: ['test/**'], testCommand: 'node test/sum.test.js',
      seedFiles: [{ path: 'src/sum.js', content: 'module.exports = { sum: () => 0 };\n' }], budgetUsd: 5, maxIterations: 3, maxTurns: 12, backend: 'local',
    });
    const events = await ended('run-ceiling');
    const [grade] = ofType(events, 'grade.recorded');
    const gate = grade.data.rubrics.find((r) => r.rubricId === 'release-gate')!;
    expect(gate.gates.find((g) => g.id === 'gate_decision_pass')).toMatchObject({ passed: false, tier: 'deterministic' });
    expect(gate.toReachNext.find((t) => t.id === 'gate_decision_pass')).toMatchObject({ fixType: 'tier-ceiling', owner: 'human', honestyNote: expect.stringMatching(/^A scope call/) });
    expect(grade.data.route).toMatchObject({ fixType: 'tier-ceiling', items: ['gate_decision_pass'] });

    const reviews = await until(async () => {
      const found = [];
      for await (const stored of harness.log.replay({ filter: `${harness.config.subjectRoot}.review.>` })) {
        if (stored.event?.type === 'review.requested' && stored.event.data.runId === 'run-ceiling') found.push(stored.event);
      }
      return found.length > 0 ? found : undefined;
    });
    expect(reviews.map((r) => r.data)).toEqual([expect.objectContaining({ reason: 'tier-ceiling', taskId: 'run-ceiling-tester', items: ['gate_decision_pass'] })]);
    expect(ofType(events, 'task.started')).toHaveLength(1);
    expect(ofType(events, 'task.failed')[0].data).toMatchObject({ role: 'tester', reviewId: reviews[0].data.reviewId });
    expect(ofType(events, 'run.ended').map((e) => e.data)).toEqual([
      expect.objectContaining({ status: 'blocked-on-questions', reviewId: reviews[0].data.reviewId, tasks: [{ role: 'tester', status: 'review' }, { role: 'deployer', status: 'blocked' }] }),
    ]);
  }, 300_000);
});
