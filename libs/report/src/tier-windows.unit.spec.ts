import { runsInWindow } from './tier-windows';

describe('runsInWindow', () => {
  it('counts the runs a window holds, a short last window included', () => {
    expect(runsInWindow({ runs: '271-300' })).toBe(30);
    expect(runsInWindow({ runs: '1-1' })).toBe(1);
    expect(runsInWindow({ runs: '291-295' })).toBe(5);
  });
});
