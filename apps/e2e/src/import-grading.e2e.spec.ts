import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { answerToolReply, FakeMessagesServer, RecordedRequest, startFakeMessagesServer } from '@loopwright/models/testing';
import { InnerLoopHarness, ofType, until } from './harness';

const CORPUS = path.resolve(__dirname, '../../../fixtures/transcripts');
const LOOPWRIGHT = path.resolve(__dirname, '../../../bin/loopwright.js');
const labels = require(path.join(CORPUS, 'labels.json')) as { runs: { file: string; goal: { allowedPaths: string[]; scratchPaths: string[]; testCommand: string }; labels: Record<string, 'pass' | 'fail'> }[] };

/** The rubric's gate for each labeled check. */
const GATE_OF_CHECK: Record<string, string> = {
  claimed_tested_without_running: 'ran_tests_before_claim',
  edited_outside_scope: 'stayed_in_boundary',
  thrashed: 'no_thrashing',
};

/** A judge on the Messages API wire: a gate answer or a dimension answer, whichever the request's schema asks for. */
function judge(request: RecordedRequest) {
  const schema = request.body?.tools?.[0]?.input_schema as { properties?: Record<string, unknown> } | undefined;
  return 'score' in (schema?.properties ?? {})
    ? answerToolReply({ score: 4, evidence: 'steps [2] and [4]: the test run after the edit', reasoning: 'verified after the last change' })
    : answerToolReply({ passed: true, evidence: 'step [4]' });
}

describe('imported transcripts are graded like any run (CLI import; router, grader and executor as processes; a local judge)', () => {
  let harness: InnerLoopHarness;
  let judgeServer: FakeMessagesServer;

  beforeAll(async () => {
    judgeServer = await startFakeMessagesServer();
    judgeServer.setHandler(judge);
    harness = await InnerLoopHarness.open('import-grading', {}, {
      grader: { GRADER_ANTHROPIC_API_KEY: 'test-key', LOOPWRIGHT_MODEL_BASE_URL: judgeServer.url },
    });
    await harness.start('router', 'grader', 'executor');
  }, 60_000);

  /** The `loopwright` command as a process, on the harness's stream. */
  async function loopwright(args: string[]): Promise<string> {
    const { config } = harness;
    const env = {
      ...process.env, NATS_URL: config.natsUrl, LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot,
      LOOP_ARTIFACT_BUCKET: config.artifactBucket,
    };
    const { stdout } = await promisify(execFile)(process.execPath, [LOOPWRIGHT, ...args], { env });
    return stdout;
  }

  afterAll(async () => {
    await harness.close();
    await judgeServer.close();
  });

  it('grades every format without re-running tests, and its deterministic gates agree with the labels', async () => {
    // One import per goal, each with every transcript that shares it: the CLI starts as a process each time.
    const byGoal = new Map<string, typeof labels.runs>();
    for (const entry of labels.runs) byGoal.set(JSON.stringify(entry.goal), [...(byGoal.get(JSON.stringify(entry.goal)) ?? []), entry]);
    const runs: { runId: string; labels: Record<string, 'pass' | 'fail'>; file: string }[] = [];
    for (const entries of byGoal.values()) {
      const { allowedPaths, scratchPaths, testCommand } = entries[0].goal;
      const args = ['import', ...entries.map((e) => path.join(CORPUS, e.file)), '--test', testCommand, '--no-progress'];
      for (const p of allowedPaths) args.push('--allow', p);
      for (const p of scratchPaths) args.push('--scratch', p);
      const stdout = await loopwright(args);
      for (const entry of entries) {
        const row = stdout.split('\n').find((line) => line.endsWith(path.join(CORPUS, entry.file)));
        const runId = row && /\b(imp-[0-9a-f]{32})\b/.exec(row)?.[1];
        if (!runId) throw new Error(`no run for ${entry.file} in the import summary:\n${stdout}`);
        runs.push({ runId, labels: entry.labels, file: entry.file });
      }
    }
    expect(runs).toHaveLength(labels.runs.length);

    for (const run of runs) {
      // The grade ends the run, passed or not: nothing can run a transcript again, and the router releases what it held.
      const events = await until(async () => {
        const all = await harness.log.readRun(run.runId);
        return all.some((e) => e.type === 'run.ended') ? all : undefined;
      });
      expect(ofType(events, 'run.ended')).toEqual([expect.objectContaining({ data: expect.objectContaining({ status: ofType(events, 'grade.recorded')[0].data.passed ? 'done' : 'stuck' }) })]);
      expect((await (await harness.log.budgets()).goal(run.runId))?.open).toEqual({});
      const [grade] = ofType(events, 'grade.recorded');
      expect(grade.data.rerun).toMatchObject({ command: expect.any(String), exitCode: null, output: expect.stringMatching(/^imported run: /) });
      expect(ofType(events, 'task.started')).toHaveLength(1);
      const behavior = grade.data.rubrics.find((r) => r.rubricId === 'engineer.trajectory')!;
      const gates = Object.fromEntries(behavior.gates.map((g) => [g.id, g.passed ? 'pass' : 'fail']));
      const expected = Object.fromEntries(Object.entries(GATE_OF_CHECK).map(([check, gate]) => [gate, run.labels[check]]));
      expect({ file: run.file, gates: Object.fromEntries(Object.keys(expected).map((g) => [g, gates[g]])) }).toEqual({ file: run.file, gates: expected });
      // Ended explicitly: finished on its own, neither stopped by a limit (the budget label) nor interrupted nor crashed.
      const [work] = ofType(events, 'work.produced');
      const stoppedByBudget = run.labels['ended_by_budget_exhaustion'] === 'fail';
      expect({ file: run.file, endedExplicitly: gates['ended_explicitly'] }).toEqual({ file: run.file, endedExplicitly: work.data.endedBy === 'finished' && !stoppedByBudget ? 'pass' : 'fail' });
      // No workspace to re-run the tests in: the re-run gate does not apply, rather than failing every import.
      const implementation = grade.data.rubrics.find((r) => r.rubricId === 'implementation')!;
      expect(implementation.gates.find((g) => g.id === 'tests_pass_on_rerun')).toMatchObject({ passed: true, evidence: expect.stringMatching(/^does not apply/) });
      expect(implementation.notApplicable).toContain('tests_pass_on_rerun');
    }
    expect(judgeServer.requests.length).toBeGreaterThan(0);
  }, 240_000);
});
