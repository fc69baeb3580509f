import { ValidationError } from '@loopwright/core';
import { EditAnswerSchema } from '../edit-answer-schema';
import { simWorkload } from '../testing/sim-workload-fixture';
import { UnusableAnswerError } from '../unusable-answer-error';
import { hiddenWork } from './hidden-work';
import { DimensionAnswerSchema, GateAnswerSchema } from './judge-answer-schemas';
import { JUDGE_TRUTH, truthFor } from './judge-truth';
import type { SimEditorContext, SimJudgeContext, SimRoute } from './sim-context';
import { createSimProvider } from './sim-provider';
import { renderWork } from './sim-text';
import { Defect, DEFECTS, Latent, LATENTS, WorkloadSpec, WorkloadSpecSchema } from './workload';

const ITEMS: [string, 'gate' | 'dimension', string, string][] = [
  ['claims_match_evidence', 'gate', 'pass', 'fail'],
  ['correctness', 'dimension', '5', '2'],
  ['smallest_coherent_change', 'dimension', '5', '2'],
  ['implementation_note_quality', 'dimension', '5', '3'],
  ['evidence_over_narration', 'dimension', '5', '2'],
  ['blocking_questions_only', 'dimension', '5', '3'],
  ['error_response_quality', 'dimension', '5', '3'],
  ['no_silent_degradation', 'gate', 'pass', 'fail'],
  ['no_fire_and_forget', 'gate', 'pass', 'fail'],
];

const route: SimRoute = { drafter: 'frontier', stream: 'draft' };
const judgeCtx = (item: string, itemKind: 'gate' | 'dimension', over: Partial<SimJudgeContext> = {}): SimJudgeContext => ({
  kind: 'judge',
  decisionId: `d-${item}`,
  role: 'engineer',
  item,
  itemKind,
  rerunPassed: true,
  work: { seed: 'judge-seed', goalId: 'sum', taskId: 'task-1', iteration: 1, route },
  ...over,
});

async function verdictOf(spec: WorkloadSpec, sim: SimJudgeContext): Promise<string> {
  const provider = createSimProvider({ workload: spec });
  const base = { purpose: `grader:engineer:${sim.itemKind}:${sim.item}`, system: 'rubric', prompt: 'work', sim };
  if (sim.itemKind === 'gate') return (await provider.answer({ ...base, schema: GateAnswerSchema })).answer.passed ? 'pass' : 'fail';
  return String((await provider.answer({ ...base, schema: DimensionAnswerSchema })).answer.score);
}

describe('sim judge', () => {
  it('holds a truth for every model-judged engineer item, keyed by role and item', () => {
    expect(Object.keys(JUDGE_TRUTH['engineer']!).sort()).toEqual(
      [
        'blocking_questions_only', 'claims_match_evidence', 'correctness', 'error_response_quality', 'evidence_over_narration', 'implementation_note_quality',
        'no_fire_and_forget', 'no_silent_degradation', 'smallest_coherent_change', 'turn_economy',
      ],
    );
  });

  it('reads the hidden state, not features: a clean work passes every item', async () => {
    const spec = simWorkload();
    for (const [item, kind, good] of ITEMS) expect(await verdictOf(spec, judgeCtx(item, kind))).toBe(good);
  });

  it.each<[Latent, string[]]>([
    ['edgeCases', ['correctness', 'error_response_quality']],
    ['candor', ['claims_match_evidence']],
    ['warranted', ['smallest_coherent_change']],
    ['clarity', ['implementation_note_quality']],
    ['care', ['evidence_over_narration']],
    ['openness', ['blocking_questions_only']],
    ['errorReporting', ['error_response_quality']],
    ['loudFailures', ['no_silent_degradation']],
    ['trackedAsync', ['no_fire_and_forget']],
  ])('a shortfall in %s gives %s its bad verdict, and leaves the items it does not drive alone', async (latent, driven) => {
    const spec = simWorkload({ latent: { [latent]: 0 } });
    for (const [item, kind, good, bad] of ITEMS) expect(await verdictOf(spec, judgeCtx(item, kind))).toBe(driven.includes(item) ? bad : good);
  });

  it.each<[Latent, RegExp]>([
    ['errorReporting', /throw new Error\('(invalid input|bad argument|error)'\);/],
    ['loudFailures', /catch( \(error\))? \{\n\s+return (undefined|null);/],
    ['trackedAsync', /Promise\.resolve\(\)\.then|setTimeout\(/],
  ])('a shortfall in %s that shows leaves its mark in the code; one that does not reads like the clean code', (latent, mark) => {
    const work = (traceRate: number, rate: number) => hiddenWork(simWorkload({ traceRate, latent: { [latent]: rate } }), { ...judgeCtx('x', 'gate').work });
    const code = (traceRate: number, rate: number) => renderWork(work(traceRate, rate), 'node test/sum.test.js').files[0].content;
    expect(code(1, 0)).toMatch(mark);
    expect(code(1, 1)).not.toMatch(mark);
    expect(code(0, 0)).toBe(code(0, 1));
  });

  it('a workload that does not rate the later qualities has them always hold', () => {
    const spec = simWorkload();
    const { errorReporting, loudFailures, trackedAsync, ...rest } = spec.latent;
    const parsed = WorkloadSpecSchema.parse({ ...spec, latent: rest, resident: { latent: rest } });
    expect(parsed.latent).toMatchObject({ errorReporting: 1, loudFailures: 1, trackedAsync: 1 });
    expect(parsed.resident.latent).toMatchObject({ errorReporting: 1, loudFailures: 1, trackedAsync: 1 });
    expect([errorReporting, loudFailures, trackedAsync]).toEqual([1, 1, 1]);
  });

  it('a broken work fails correctness and the claim that the tests pass, whatever the re-run it is told of', async () => {
    const spec = simWorkload({ defects: { broken_code: 1 } });
    expect(await verdictOf(spec, judgeCtx('correctness', 'dimension'))).toBe('2');
    expect(await verdictOf(spec, judgeCtx('claims_match_evidence', 'gate', { rerunPassed: true }))).toBe('fail');
  });

  it('with every shortfall showing, two works that read the same get the same verdict: the truth rests on nothing the log cannot show', () => {
    const base = hiddenWork(simWorkload({ traceRate: 1 }), judgeCtx('x', 'gate').work);
    const defectSets: Defect[][] = [[], ...DEFECTS.map((d) => [d]), ...DEFECTS.flatMap((d, i) => DEFECTS.slice(i + 1).map((e) => [d, e]))];
    const verdictsByReading = new Map<string, Map<string, string>>();
    const contradictions = new Set<string>();
    for (let mask = 0; mask < 2 ** LATENTS.length; mask++) {
      const latent = Object.fromEntries(LATENTS.map((q, bit) => [q, (mask & (1 << bit)) !== 0])) as Record<Latent, boolean>;
      for (const defects of defectSets) {
        for (const mentionsEdgeCases of [true, false]) {
          const work = { ...base, latent, defects, mentionsEdgeCases };
          const text = renderWork(work, 'node test/sum.test.js');
          // What the log holds of a work: its files, its message, and the defects its trace shows.
          const reading = JSON.stringify([text.files, text.extraFile ?? null, text.finalMessage, defects]);
          const seen = verdictsByReading.get(reading) ?? new Map<string, string>();
          verdictsByReading.set(reading, seen);
          for (const [item, kind] of ITEMS) {
            const { verdict } = truthFor('engineer', item, kind).judge(work, () => 0);
            if (seen.has(item) && seen.get(item) !== verdict) contradictions.add(`${item} with ${defects.join('+') || 'no defect'}`);
            seen.set(item, verdict);
          }
        }
      }
    }
    expect(verdictsByReading.size).toBeLessThan(2 ** LATENTS.length * defectSets.length * 2);
    expect([...contradictions]).toEqual([]);
  });

  it('states the recorded re-run as it was told it', async () => {
    const provider = createSimProvider({ workload: simWorkload() });
    const sim = judgeCtx('correctness', 'dimension', { rerunPassed: false });
    const { answer } = await provider.answer({ purpose: 'p', system: '', prompt: '', schema: DimensionAnswerSchema, sim });
    expect(answer.rerunPassed).toBe(false);
  });

  it('on efficiency the frontier itself varies from one decision to the next on the same work', async () => {
    const spec = simWorkload();
    const verdicts = new Set<string>();
    for (let i = 0; i < 60; i++) verdicts.add(await verdictOf(spec, judgeCtx('turn_economy', 'dimension', { decisionId: `e-${i}` })));
    expect(verdicts.size).toBeGreaterThanOrEqual(3);
  });

  it('flips about `noise` of the verdicts to the item\'s other verdict, the same ones every time', async () => {
    const spec = simWorkload({ judge: { noise: 0.1 } });
    let flips = 0;
    for (let i = 0; i < 2000; i++) if ((await verdictOf(spec, judgeCtx('correctness', 'dimension', { decisionId: `n-${i}` }))) === '2') flips++;
    expect(Math.abs(flips / 2000 - 0.1)).toBeLessThan(0.04);
    const sim = judgeCtx('correctness', 'dimension', { decisionId: 'n-17' });
    expect(await verdictOf(spec, sim)).toBe(await verdictOf(spec, sim));
  });

  it('with garbageRate 1 gives up with UnusableAnswerError after exactly one retry', async () => {
    const provider = createSimProvider({ workload: simWorkload({ judge: { garbageRate: 1 } }) });
    const error = (await provider.answer({ purpose: 'p', system: '', prompt: '', schema: GateAnswerSchema, sim: judgeCtx('claims_match_evidence', 'gate') }).catch((e: unknown) => e)) as UnusableAnswerError;
    expect(error).toBeInstanceOf(UnusableAnswerError);
    expect(error.rawAnswers).toHaveLength(2);
    expect(error.spent).toMatchObject({ simulated: true, model: 'sim-frontier' });
  });

  it('marks answers as simulated, named by tier; a resident is priced at the workload\'s resident price', async () => {
    const spec = simWorkload({ resident: { price: { input: 0.1, output: 0.4, cacheWrite: 0, cacheRead: 0 } } });
    const ask = (tier: 'frontier' | 'resident') =>
      createSimProvider({ workload: spec, tier }).answer({ purpose: 'p', system: 'rubric', prompt: 'work', schema: DimensionAnswerSchema, sim: judgeCtx('correctness', 'dimension') });
    const [frontier, resident] = [await ask('frontier'), await ask('resident')];
    expect(frontier).toMatchObject({ simulated: true, model: 'sim-frontier', attempts: 1 });
    expect(resident).toMatchObject({ simulated: true, model: 'sim-resident' });
    expect(frontier.costUsd / resident.costUsd).toBeGreaterThan(20);
    expect(() => createSimProvider({ workload: spec, priceModel: 'gpt-unknown' })).toThrow(/no price for model/);
  });

  it('refuses a request without its context', async () => {
    const provider = createSimProvider({ workload: simWorkload() });
    await expect(provider.answer({ purpose: 'p', system: '', prompt: '', schema: GateAnswerSchema })).rejects.toThrow(ValidationError);
  });
});

describe('sim editor', () => {
  const editCtx = (lintPassed = true): SimEditorContext => ({
    kind: 'edit', decisionId: 'edit-1', role: 'engineer', lintPassed,
    work: { seed: 'judge-seed', goalId: 'sum', taskId: 'task-1', iteration: 1, route: { drafter: 'resident', stream: 'draft' } },
  });
  const edit = (spec: WorkloadSpec, sim = editCtx()) =>
    createSimProvider({ workload: spec }).answer({ purpose: 'executor:engineer:edit', system: '', prompt: '', schema: EditAnswerSchema, sim });

  it('approves a draft with no shortfall, and throws out one the lint threw out', async () => {
    expect((await edit(simWorkload())).answer.verdict).toBe('approve');
    expect((await edit(simWorkload(), editCtx(false))).answer.verdict).toBe('regenerate');
  });

  it('patches a shortfall it can see: the patch is the work the route "patch" names, and it holds the quality', async () => {
    const spec = simWorkload({ resident: { latent: { edgeCases: 0, clarity: 1, warranted: 1, candor: 1, care: 1, openness: 1, errorReporting: 1, loudFailures: 1, trackedAsync: 1 } } });
    const { answer } = await edit(spec);
    expect(answer).toMatchObject({ verdict: 'patch', notes: ['handle the cases the tests do not check'] });
    expect(answer.files[0].content).toContain(spec.goals[0].solution[0].content);
    const patched = hiddenWork(spec, { ...editCtx().work, route: { drafter: 'resident', stream: 'draft', edit: 'patch' } });
    expect(patched.latent.edgeCases).toBe(true);
    expect(answer.finalMessage).toBe(renderWork(patched, spec.goals[0].testCommand).finalMessage);
  });

  it('regenerates a draft with three or more shortfalls, and misses one that leaves no trace', async () => {
    const many = simWorkload({ resident: { latent: { edgeCases: 0, clarity: 0, warranted: 0, candor: 1, care: 1, openness: 1, errorReporting: 1, loudFailures: 1, trackedAsync: 1 } } });
    expect((await edit(many)).answer.verdict).toBe('regenerate');
    const hidden = simWorkload({ traceRate: 0, resident: { latent: { edgeCases: 1, clarity: 0, warranted: 1, candor: 1, care: 1, openness: 1, errorReporting: 1, loudFailures: 1, trackedAsync: 1 } } });
    expect((await edit(hidden)).answer.verdict).toBe('approve');
  });
});
