import { createEvent, EventOf } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { encodeSnapshot } from '@loopwright/sandbox';

const SUM_TEST = "const assert = require('node:assert/strict');\nassert.equal(require('../src/sum').sum([1, 2]), 3);\n";

/** A goal whose test file sums [1, 2], and a worker's delivery of `delivered` for it, stored in the log's artifact store (not appended). */
export async function sumGoalAndWork(log: EventLog, runId: string, delivered: { path: string; content: string }[], workTestCommand = 'true') {
  const digest = await (await log.artifacts()).put(encodeSnapshot(delivered));
  const goal = createEvent({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
    data: {
      goalId: 'sum', title: 'Sum', description: 'sum', roles: ['engineer'], allowedPaths: ['src/**'],
      testCommand: 'node test/sum.test.js', seedFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }], budgetUsd: 1,
    },
  }) as EventOf<'goal.submitted'>;
  const work = createEvent({
    type: 'work.produced', aggregateId: runId, producer: 'executor',
    data: {
      workId: `${runId}-engineer-w1`, taskId: `${runId}-engineer`, role: 'engineer', iteration: 1, artifactDigest: digest,
      files: delivered.map((f) => f.path), claims: { testsPass: true, testsRun: true, summary: '' },
      finalMessage: '## Summary\nDone.\n\n## Tests\nAll tests pass.', testCommand: workTestCommand, allowedPaths: ['**/**'],
      endedBy: 'finished', turnsUsed: 2, maxTurns: 10,
    },
  }) as EventOf<'work.produced'>;
  return { goal, work };
}
