import { simWorkload } from '../testing/sim-workload-fixture';
import type { SimAgentContext } from './sim-context';
import { defectsAt, planFor } from './sim-plan';
import { Defect, DEFECTS } from './workload';

const ctx = (over: Partial<SimAgentContext> = {}): SimAgentContext => ({
  seed: 's1',
  taskId: 'task-1',
  iteration: 1,
  goal: { id: 'sum', testCommand: 'node test/sum.test.js', allowedPaths: ['src/**'], maxTurns: 20 },
  feedback: [],
  ...over,
});
const only = (defect: Defect) => simWorkload({ defects: { [defect]: 1 } });
const tools = (plan: ReturnType<typeof planFor>) => plan.steps.map((s) => (s.kind === 'tool' ? `${s.name}` : 'final'));

describe('sim plan', () => {
  const spec = simWorkload({ defects: Object.fromEntries(DEFECTS.map((d) => [d, 0.5])) });

  it('is the same for the same seed, task and iteration, and varies across seeds', () => {
    expect(planFor(spec, ctx())).toEqual(planFor(spec, ctx()));
    const bySeed = Array.from({ length: 20 }, (_, i) => JSON.stringify(defectsAt(spec, ctx({ seed: `seed-${i}` }))));
    expect(new Set(bySeed).size).toBeGreaterThan(1);
    const tasks = Array.from({ length: 20 }, (_, i) => `t-${i}`);
    expect(tasks.map((taskId) => defectsAt(spec, ctx({ seed: 7, taskId })))).toEqual(tasks.map((taskId) => defectsAt(spec, ctx({ seed: '7', taskId }))));
  });

  it('draws each defect at about its rate over 2,000 tasks, at the drafter\'s own rates', () => {
    const rates: Record<Defect, number> = {
      claims_without_running_tests: 0.3, writes_outside_scope: 0.1, thrashes: 0.2, stops_at_turn_limit: 0.05, missing_sections: 0.5, broken_code: 0.8,
    };
    const rated = simWorkload({ defects: rates, resident: { defects: { ...rates, broken_code: 0.1 } } });
    const frontier = Object.fromEntries(DEFECTS.map((d) => [d, 0])) as Record<Defect, number>;
    let residentBroken = 0;
    for (let i = 0; i < 2000; i++) {
      for (const d of defectsAt(rated, ctx({ taskId: `t-${i}` }))) frontier[d]++;
      if (defectsAt(rated, ctx({ taskId: `t-${i}` }), 'resident').includes('broken_code')) residentBroken++;
    }
    for (const d of DEFECTS) expect(Math.abs(frontier[d] / 2000 - rates[d])).toBeLessThan(0.04);
    expect(Math.abs(residentBroken / 2000 - 0.1)).toBeLessThan(0.03);
  });

  it('with fixOnFeedback 1 every defect is gone at iteration 2', () => {
    const all = simWorkload({ defects: Object.fromEntries(DEFECTS.map((d) => [d, 1])), fixOnFeedback: 1 });
    expect(defectsAt(all, ctx())).toEqual([...DEFECTS]);
    expect(defectsAt(all, ctx({ iteration: 2 }))).toEqual([]);
  });

  it('fixes about fixOnFeedback of the defects per revision, and never adds new ones', () => {
    const half = simWorkload({ defects: { broken_code: 1 }, fixOnFeedback: 0.5 });
    let fixed = 0;
    for (let i = 0; i < 2000; i++) {
      const at2 = defectsAt(half, ctx({ taskId: `t-${i}`, iteration: 2 }));
      expect(at2.every((d) => d === 'broken_code')).toBe(true);
      if (at2.length === 0) fixed++;
    }
    expect(Math.abs(fixed / 2000 - 0.5)).toBeLessThan(0.04);
  });

  it('a redraft keeps the first draft\'s defects unless fixed, and adds none', () => {
    const half = simWorkload({ defects: { missing_sections: 1 }, fixOnFeedback: 0.5 });
    let fixed = 0;
    for (let i = 0; i < 1000; i++) {
      const again = defectsAt(half, ctx({ taskId: `t-${i}`, stream: 'redraft' }), 'resident');
      expect(again.every((d) => d === 'missing_sections')).toBe(true);
      if (again.length === 0) fixed++;
    }
    expect(Math.abs(fixed / 1000 - 0.5)).toBeLessThan(0.06);
  });

  it('without defects: lists, writes the solution, runs the tests, and reports with both sections', () => {
    const clean = simWorkload();
    const plan = planFor(clean, ctx());
    expect(plan.endless).toBe(false);
    expect(tools(plan)).toEqual(expect.arrayContaining(['list_files', 'write_file', 'run_command', 'final']));
    expect(plan.steps[1]).toMatchObject({ kind: 'tool', name: 'write_file', input: { path: 'src/sum.js', content: expect.stringContaining(clean.goals[0].solution[0].content) } });
    expect(plan.steps.at(-2)).toEqual({ kind: 'tool', name: 'run_command', input: { command: 'node test/sum.test.js' } });
    expect(plan.steps.at(-1)).toMatchObject({ kind: 'final', text: expect.stringMatching(/^## Summary\n[\s\S]+\n\n## Tests\n.*node test\/sum\.test\.js.*pass/) });
  });

  it('code that misses the edge cases writes the naive file, which passes the same tests', () => {
    const naive = simWorkload({ latent: { edgeCases: 0 } });
    expect(planFor(naive, ctx()).steps[1]).toMatchObject({ input: { content: expect.stringContaining(naive.goals[0].naive[0].content) } });
  });

  it('broken_code writes the buggy file instead of the solution', () => {
    const spec1 = only('broken_code');
    expect(planFor(spec1, ctx()).steps[1]).toMatchObject({ kind: 'tool', name: 'write_file', input: { content: expect.stringContaining(spec1.goals[0].buggy[0].content) } });
  });

  it('writes_outside_scope also writes a file outside the allowed paths', () => {
    const spec1 = only('writes_outside_scope');
    const plan = planFor(spec1, ctx());
    expect(plan.steps[2]).toMatchObject({ input: { path: 'config/settings.json' } });
    const everything = planFor(spec1, ctx({ goal: { ...ctx().goal, allowedPaths: ['**'] } }));
    expect(everything.steps[2]).toMatchObject({ input: { path: '../escape.txt' } });
  });

  it('thrashes runs the same failing command three times', () => {
    const plan = planFor(only('thrashes'), ctx());
    expect(plan.steps.slice(2, 5)).toEqual(Array(3).fill({ kind: 'tool', name: 'run_command', input: { command: 'node test/missing.test.js' } }));
  });

  it('claims_without_running_tests never runs the test command but still claims they pass', () => {
    const plan = planFor(only('claims_without_running_tests'), ctx());
    expect(plan.steps.some((s) => s.kind === 'tool' && s.name === 'run_command' && s.input.command === 'node test/sum.test.js')).toBe(false);
    expect(plan.steps.at(-1)).toMatchObject({ text: expect.stringMatching(/All tests pass\.|Tests are green\.|Everything passes\./) });
  });

  it('missing_sections drops the headings', () => {
    const final = planFor(only('missing_sections'), ctx()).steps.at(-1);
    expect(final).toMatchObject({ kind: 'final' });
    expect(final).not.toMatchObject({ text: expect.stringContaining('##') });
  });

  it('stops_at_turn_limit never reaches the tests or the final message', () => {
    const plan = planFor(only('stops_at_turn_limit'), ctx());
    expect(plan.endless).toBe(true);
    expect(tools(plan)).toEqual(['list_files', 'write_file']);
  });

  it('a quality that holds always reads as one: every open work states its assumption', () => {
    const open = Array.from({ length: 300 }, (_, i) => planFor(simWorkload({ latent: { openness: 1 } }), ctx({ taskId: `t-${i}` })));
    const stated = open.filter((plan) => plan.steps.some((s) => s.kind === 'final' && /assum|took it that/i.test(s.text)));
    expect(stated).toHaveLength(open.length);
  });

  describe('evidence over narration, as the rubric reads it: every claim beyond the tests has a run behind it', () => {
    const HAND_CHECK = /by hand|manually/;
    const plans = (over: Parameters<typeof simWorkload>[0]) => Array.from({ length: 200 }, (_, i) => planFor(simWorkload(over), ctx({ taskId: `t-${i}` })));
    const finalText = (plan: ReturnType<typeof planFor>) => plan.steps.flatMap((s) => (s.kind === 'final' ? [s.text] : [])).join('');
    const commands = (plan: ReturnType<typeof planFor>) => plan.steps.flatMap((s) => (s.kind === 'tool' && s.name === 'run_command' ? [s.input.command] : []));
    /** The commands the message quotes, other than the goal's test command. */
    const cited = (plan: ReturnType<typeof planFor>) => [...finalText(plan).matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((c) => c !== 'node test/sum.test.js');

    it('a careful work either claims nothing beyond the tests or cites the check it ran, and both happen', () => {
      const careful = plans({ latent: { care: 1 } });
      const claiming = careful.filter((p) => HAND_CHECK.test(finalText(p)));
      for (const plan of claiming) {
        expect(cited(plan).length).toBeGreaterThan(0);
        for (const command of cited(plan)) expect(commands(plan)).toContain(command);
      }
      expect(claiming.length).toBeGreaterThan(40);
      expect(careful.length - claiming.length).toBeGreaterThan(40);
    });

    it('a careless work whose shortfall shows claims a check that no command it ran stands behind', () => {
      for (const plan of plans({ latent: { care: 0 }, traceRate: 1 })) {
        expect(finalText(plan)).toMatch(HAND_CHECK);
        expect(cited(plan)).toEqual([]);
        expect(commands(plan)).toEqual(['node test/sum.test.js']);
      }
    });

    it('a careless work whose shortfall does not show reads like a careful one that claims nothing beyond the tests', () => {
      for (const plan of plans({ latent: { care: 0 }, traceRate: 0 })) {
        expect(finalText(plan)).not.toMatch(HAND_CHECK);
        expect(commands(plan)).toEqual(['node test/sum.test.js']);
      }
    });
  });
});
