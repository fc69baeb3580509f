import { eventsOfImportedRun, importedRunId } from './imported-run-events';
import type { ImportedRun } from './imported-run';

const run: ImportedRun = {
  format: 'mini-swe-agent', ids: ['csvtool__csvtool-7'], task: 'Fix the reader.\nMore detail.',
  steps: [{ kind: 'command', input: 'pytest -q', exitCode: 0, output: '3 passed' }, { kind: 'thought', output: 'Submitting.' }],
  finalMessage: 'Submitting.', messages: ['All 3 tests pass.'], endedBy: 'finished', turns: 2, change: [{ path: 'csvtool/reader.py', content: 'diff' }], gaps: [],
};
const goal = { allowedPaths: ['csvtool/**'], scratchPaths: ['/tmp/**'], testCommand: 'pytest', role: 'engineer' as const, budgetUsd: 1 };
const refs = { runId: importedRunId(run, 'd'.repeat(64)), contentDigest: 'd'.repeat(64), artifactDigest: 'a'.repeat(64), occurredAt: new Date(0) };

describe('eventsOfImportedRun', () => {
  it('derives the run id from the format, the source ids and the content', () => {
    expect(importedRunId(run, 'd'.repeat(64))).toBe(refs.runId);
    expect(importedRunId({ ...run, ids: ['other'] }, 'd'.repeat(64))).not.toBe(refs.runId);
    expect(importedRunId(run, 'e'.repeat(64))).not.toBe(refs.runId);
  });

  it('gives every event an id from the run and its place, so appending again adds nothing', () => {
    const first = eventsOfImportedRun(run, goal, refs);
    const again = eventsOfImportedRun(run, goal, { ...refs, occurredAt: new Date(5_000) });
    expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
    expect(new Set(first.map((e) => e.id)).size).toBe(first.length);
    expect(first.map((e) => e.type)).toEqual(['goal.submitted', 'task.started', 'trace.step', 'trace.step', 'work.produced']);
    expect(first.every((e) => e.producer === 'submitter')).toBe(true);
  });

  it('reads claims from the messages before the final one, and takes the highest turn limit when the source has none', () => {
    const events = eventsOfImportedRun(run, goal, refs);
    const work = events.at(-1)!;
    if (work.type !== 'work.produced') throw new Error('expected work.produced');
    expect(work.data).toMatchObject({
      claims: { testsPass: true, evidence: 'All 3 tests pass.' }, files: ['csvtool/reader.py'], maxTurns: 10_000, turnsUsed: 2,
      scratchPaths: ['/tmp/**'],
    });
    const withLimit = eventsOfImportedRun({ ...run, maxTurns: 250 }, goal, refs).at(-1)!;
    expect(withLimit.type === 'work.produced' && withLimit.data.maxTurns).toBe(250);
    const goalEvent = events[0];
    expect(goalEvent.type === 'goal.submitted' && goalEvent.data).toMatchObject({ title: 'Fix the reader.', backend: 'import', maxIterations: 1 });
  });
});
