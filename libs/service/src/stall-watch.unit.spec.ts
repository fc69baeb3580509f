import { StallWatch } from './stall-watch';

describe('StallWatch', () => {
  it('reports a reader behind the head whose position has not moved for longer than the limit', () => {
    const watch = new StallWatch(1_000);
    expect(watch.problem('projections', { position: 5, head: 9 }, 0)).toBeUndefined();
    expect(watch.problem('projections', { position: 5, head: 9 }, 1_000)).toBeUndefined();
    expect(watch.problem('projections', { position: 5, head: 12 }, 1_001)).toBe('projections is stalled at sequence 5 for 1 s while the log is at 12');
  });

  it('starts over when the reader moves, catches up or has work in hand', () => {
    const watch = new StallWatch(1_000);
    watch.observe({ position: 5, head: 9 }, 0);
    expect(watch.observe({ position: 6, head: 9 }, 5_000)).toBe(0);
    expect(watch.observe({ position: 6, head: 9 }, 5_500)).toBe(500);
    expect(watch.observe({ position: 6, head: 6 }, 9_000)).toBe(0);
    expect(watch.observe({ position: 6, head: 7, busy: true }, 20_000)).toBe(0);
    expect(watch.observe({ position: 6, head: 7 }, 20_400)).toBe(400);
  });
});
