import { testProcessReachFeatures } from '@loopwright/checks';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hiddenWork } from './hidden-work';
import { renderWork } from './sim-text';
import { DEFAULT_WORKLOAD_PATH, DEFECTS, LATENTS, loadWorkload, WorkloadSpec } from './workload';

const WORKLOADS = readdirSync(dirname(DEFAULT_WORKLOAD_PATH)).filter((f) => f.endsWith('.yaml'));

/** Every latent quality missing and showing, so the rendered code carries each shortfall the sim writes into code. */
function flawed(spec: WorkloadSpec): WorkloadSpec {
  return {
    ...spec, traceRate: 1, defects: Object.fromEntries(DEFECTS.map((d) => [d, 0])) as WorkloadSpec['defects'],
    latent: { ...(Object.fromEntries(LATENTS.map((q) => [q, 0])) as WorkloadSpec['latent']), edgeCases: 1 },
  };
}

describe.each(WORKLOADS)('the code the sim writes for %s', (file) => {
  const spec = loadWorkload(join(dirname(DEFAULT_WORKLOAD_PATH), file));

  it.each(spec.goals.map((g) => [g.id, g] as const))('goal %s leaves the process running its tests alone', (_id, goal) => {
    const rendered = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].flatMap((seed) => {
      const work = hiddenWork(flawed(spec), { seed, goalId: goal.id, taskId: 't-1', iteration: 1, route: { drafter: 'frontier', stream: 'draft' } });
      const { files, extraFile } = renderWork(work, goal.testCommand);
      return extraFile ? [...files, extraFile] : files;
    });
    // The shortfalls that rewrite the module's exports and start work in the background are among what is read.
    expect(rendered.some((f) => f.content.includes('module.exports[name] ='))).toBe(true);
    expect(rendered.some((f) => /setTimeout|Promise\.resolve\(\)/.test(f.content))).toBe(true);
    for (const files of [goal.solution, goal.naive, goal.buggy, rendered]) {
      expect(testProcessReachFeatures(files, [])).toEqual({ test_process_reaches: 0, test_process_reach_list: '' });
    }
  });
});
