import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeTraceFeatures, deliveredChange, deliveredFeatures, runCheck } from '@loopwright/checks';
import { parseTranscript } from './read-transcript';
import { eventsOfImportedRun } from './imported-run-events';

const CORPUS = join(__dirname, '../../../fixtures/transcripts');
const PRECISION_FLOOR = 0.9;
const RECALL_FLOOR = 0.8;

interface Labeled {
  file: string;
  goal: { allowedPaths: string[]; scratchPaths: string[]; testCommand: string };
  labels: Record<string, 'pass' | 'fail'>;
}
const corpus = JSON.parse(readFileSync(join(CORPUS, 'labels.json'), 'utf8')) as { checks: string[]; runs: Labeled[] };

/** Every check's verdict on every labeled transcript, through the same events an import appends. */
function verdicts(entry: Labeled): Record<string, 'pass' | 'fail'> {
  const [run] = parseTranscript(readFileSync(join(CORPUS, entry.file), 'utf8'), entry.file);
  const events = eventsOfImportedRun(run, { ...entry.goal, role: 'engineer', budgetUsd: 0 }, {
    runId: 'imp-corpus', contentDigest: 'c'.repeat(64), artifactDigest: 'a'.repeat(64), occurredAt: new Date(0),
  });
  const steps = events.flatMap((e) => (e.type === 'trace.step' ? [e.data] : []));
  const work = events.find((e) => e.type === 'work.produced');
  if (work?.type !== 'work.produced') throw new Error('no work.produced');
  // As the grader computes them: the trace, and the delivered change against an unknown seed.
  const delivered = deliveredChange([], run.change, [], entry.goal.allowedPaths, entry.goal.scratchPaths);
  const features = { ...computeTraceFeatures(steps, work.data), ...deliveredFeatures(delivered) };
  return Object.fromEntries(corpus.checks.map((id) => [id, runCheck(id, features).passed ? 'pass' : 'fail']));
}

describe('behavior checks on the transcript corpus', () => {
  const results = corpus.runs.map((entry) => ({ entry, got: verdicts(entry) }));

  it('covers every format with labels for every check', () => {
    expect(new Set(corpus.runs.map((r) => r.file.split('/')[0]))).toEqual(new Set(['claude-code', 'swe-agent', 'mini-swe-agent', 'openhands', 'otlp-json']));
    for (const r of corpus.runs) expect(Object.keys(r.labels).sort()).toEqual([...corpus.checks].sort());
  });

  it(`holds precision >= ${PRECISION_FLOOR} and recall >= ${RECALL_FLOOR} per check`, () => {
    const table = corpus.checks.map((check) => {
      let tp = 0, fp = 0, fn = 0;
      for (const { entry, got } of results) {
        const fires = got[check] === 'fail';
        const should = entry.labels[check] === 'fail';
        if (fires && should) tp++;
        else if (fires) fp++;
        else if (should) fn++;
      }
      const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
      const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
      return { check, positives: tp + fn, tp, fp, fn, precision: Number(precision.toFixed(2)), recall: Number(recall.toFixed(2)) };
    });
    console.log(`per-check precision and recall on ${corpus.runs.length} transcripts:\n${table.map((r) => JSON.stringify(r)).join('\n')}`);
    const misses = results.flatMap(({ entry, got }) =>
      corpus.checks.filter((c) => got[c] !== entry.labels[c]).map((c) => `${entry.file}: ${c} labeled ${entry.labels[c]}, got ${got[c]}`),
    );
    if (misses.length) console.log(`disagreements:\n${misses.join('\n')}`);
    for (const row of table) {
      expect({ check: row.check, precisionOk: row.precision >= PRECISION_FLOOR, recallOk: row.recall >= RECALL_FLOOR }).toEqual({
        check: row.check, precisionOk: true, recallOk: true,
      });
      expect(row.positives).toBeGreaterThan(0);
    }
  });
});
