import { z } from 'zod';
import { Text } from './artifact-files';

export const TIERS_IN_ORDER = ['smoke', 'api', 'e2e'] as const;
export const ProbeTier = z.enum(TIERS_IN_ORDER);
export type ProbeTier = z.output<typeof ProbeTier>;

/** The most probes the grader runs for one plan: each is a sandboxed command. */
export const MAX_PROBES = 20;

export const ProbeSchema = z.object({
  id: Text,
  tier: ProbeTier,
  criticalArea: Text,
  /** What the grader runs, in its own sandbox, on the delivered workspace. */
  command: Text,
  expect: z.object({ exitCode: z.number().int().default(0), outputIncludes: Text.optional() }).default({ exitCode: 0 }),
  /** The line of the goal (`source: goal`) or of a workspace file that motivates the probe, quoted. */
  sourceRef: z.object({ quote: z.string(), source: z.string(), line: z.number().int().min(0).optional() }),
});

/** What a tester authors (`.loopwright/probe-plan.json`): what to prove, and what cannot be probed and why. */
export const ProbePlanSchema = z.object({
  probes: z.array(ProbeSchema).max(MAX_PROBES, `at most ${MAX_PROBES} probes`),
  unprobeable: z.array(z.object({ area: Text, reason: z.string(), outOfScope: z.boolean().default(false) })).default([]),
});

export type Probe = z.output<typeof ProbeSchema>;
export type ProbePlan = z.output<typeof ProbePlanSchema>;

const flat = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Where a probe plan contradicts itself or its sources: duplicate ids, an area both probed and
 * declared unprobeable, an unprobeable area without a reason, a probe without a quote and source,
 * or a quote its source does not contain. `sourceText` returns the goal's text for `goal` and a
 * workspace file's text for its path.
 */
export function probePlanProblems(plan: ProbePlan, sourceText: (source: string) => string | undefined): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const probe of plan.probes) {
    if (seen.has(probe.id)) problems.push(`probe id ${probe.id} is used twice`);
    seen.add(probe.id);
    const { quote, source } = probe.sourceRef;
    if (flat(quote) === '' || source.trim() === '') {
      problems.push(`probe ${probe.id} quotes no source line`);
      continue;
    }
    const text = sourceText(source.trim());
    if (text === undefined) problems.push(`probe ${probe.id} cites ${source}, which is neither the goal nor a workspace file`);
    else if (!flat(text).includes(flat(quote))) problems.push(`probe ${probe.id} quotes "${quote.slice(0, 60)}", which ${source} does not contain`);
  }
  const probed = new Set(plan.probes.map((p) => p.criticalArea));
  for (const u of plan.unprobeable) {
    if (probed.has(u.area)) problems.push(`area ${u.area} is both probed and declared unprobeable`);
    if (u.reason.trim() === '') problems.push(`area ${u.area} is declared unprobeable without a reason`);
  }
  return problems;
}
