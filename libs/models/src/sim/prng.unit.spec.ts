import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32, seededRandom } from './prng';

describe('seeded PRNG', () => {
  it('gives the same stream for the same parts and another for other parts', () => {
    const a = seededRandom('seed', 'task', 1);
    const b = seededRandom('seed', 'task', 1);
    const c = seededRandom('seed', 'task', 2);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    expect(seededRandom('ab', 'c')()).not.toBe(seededRandom('a', 'bc')());
  });

  it('draws in [0, 1) with a mean near one half', () => {
    const next = mulberry32(42);
    const draws = Array.from({ length: 10_000 }, () => next());
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(draws.reduce((s, x) => s + x, 0) / draws.length - 0.5)).toBeLessThan(0.02);
  });

  it('is the only randomness in the sim: no Math.random in its sources', () => {
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) expect(readFileSync(join(__dirname, file), 'utf8')).not.toMatch(/Math\.random/);
  });
});
