import { maySubmit, onPassCompleted, onRunEnded, Pacing, startPacing } from './pacing';

/** Ends runs 1..n, the i-th stored at sequence 10·i. */
function endRuns(pacing: Pacing, from: number, to: number): Pacing {
  for (let i = from; i <= to; i++) pacing = onRunEnded(pacing, i, 10 * i);
  return pacing;
}

describe('the demo\'s pace against the outer loop', () => {
  it('submits freely until the every-th run ends, then waits for a pass that read through that run.ended', () => {
    let pacing = endRuns(startPacing(5), 1, 4);
    expect(maySubmit(pacing)).toBe(true);
    pacing = endRuns(pacing, 5, 5);
    expect(pacing.awaitedSeq).toBe(50);
    expect(maySubmit(pacing)).toBe(false);
  });

  it('keeps waiting through passes that read less, and runs that end meanwhile do not move the awaited sequence', () => {
    let pacing = endRuns(startPacing(5), 1, 7);
    pacing = onPassCompleted(pacing, 49, 0);
    expect(maySubmit(pacing)).toBe(false);
    expect(pacing.awaitedSeq).toBe(50);
    pacing = onPassCompleted(pacing, 55, 0);
    expect(maySubmit(pacing)).toBe(true);
    // the next wait comes five runs after the last one, not after the pass
    expect(maySubmit(endRuns(pacing, 8, 9))).toBe(true);
    expect(endRuns(pacing, 8, 10).awaitedSeq).toBe(100);
  });

  it('waits for the pass after a reviewer\'s approval the pass led to, then lets runs go', () => {
    let pacing = endRuns(startPacing(5), 1, 5);
    pacing = onPassCompleted(pacing, 50, 58);
    expect(pacing.awaitedSeq).toBe(58);
    pacing = onPassCompleted(pacing, 57, 58);
    expect(maySubmit(pacing)).toBe(false);
    pacing = onPassCompleted(pacing, 60, 58);
    expect(maySubmit(pacing)).toBe(true);
  });

  it('never waits with every = 0, and a pass while nothing is awaited changes nothing', () => {
    expect(maySubmit(endRuns(startPacing(0), 1, 100))).toBe(true);
    const idle = endRuns(startPacing(5), 1, 3);
    expect(onPassCompleted(idle, 100, 200)).toEqual(idle);
  });
});
