import type { TraceStep } from '@loopwright/events';
import { draftFeatures, lintDraft } from './draft-lint';

const step = (n: number, s: Partial<TraceStep>): TraceStep => ({ taskId: 't', iteration: 1, step: n, kind: 'thought', input: '', output: '', durationMs: 0, ...s });
const work = (over: Partial<Parameters<typeof draftFeatures>[1]> = {}) => ({
  files: ['src/sum.js'],
  finalMessage: '## Summary\nAdded sum.\n\n## Tests\nRan `node test/sum.test.js`: all tests pass.',
  claims: { testsPass: true, testsRun: true, summary: '', evidence: 'all tests pass' },
  testCommand: 'node test/sum.test.js',
  allowedPaths: ['src/**'],
  endedBy: 'finished' as const,
  turnsUsed: 4,
  maxTurns: 12,
  ...over,
});
const clean = [
  step(0, { kind: 'edit', tool: 'write_file', input: 'src/sum.js', path: 'src/sum.js', editedBy: 'tool', output: 'written' }),
  step(1, { kind: 'command', tool: 'run_command', input: 'node test/sum.test.js', exitCode: 0, output: 'ok' }),
];

describe('the draft lint', () => {
  it('passes a draft that ran its tests green and reported in both sections', () => {
    const features = draftFeatures(clean, work(), 1);
    expect(lintDraft(features)).toEqual([]);
    expect(features).toMatchObject({ lint_passed: true, draft_attempts: 1, test_runs: 1 });
    expect(features).not.toHaveProperty('rerun_passed');
  });

  it.each([
    ['finished', clean, work({ endedBy: 'turn_limit' })],
    ['ran_tests', clean.slice(0, 1), work()],
    ['tests_pass', [clean[0], { ...clean[1], exitCode: 1, output: 'AssertionError' }], work()],
    ['sections', clean, work({ finalMessage: 'Added sum. All tests pass.' })],
    ['scope', [...clean, step(2, { kind: 'edit', tool: 'write_file', input: 'config/x.json', path: 'config/x.json', editedBy: 'tool', refused: 'outside the allowed paths' })], work()],
    ['thrashing', [clean[0], ...[2, 3, 4].map((n) => step(n, { kind: 'command', tool: 'run_command', input: 'node test/missing.test.js', exitCode: 1, output: 'Cannot find module' })), { ...clean[1], step: 5 }], work()],
  ] as const)('throws out a draft that fails "%s"', (check, steps, w) => {
    const features = draftFeatures(steps, w, 2);
    expect(lintDraft(features).map((f) => f.check)).toContain(check);
    expect(features).toMatchObject({ lint_passed: false, draft_attempts: 2 });
  });
});
