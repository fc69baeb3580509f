import { ValidationError } from '@loopwright/core';
import { SubjectToken } from '@loopwright/events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isAllowedPath } from './allowed-paths';

/** The defects a simulated agent can have: each shows in what it does (its trace and files). */
export const DEFECTS = [
  'claims_without_running_tests',
  'writes_outside_scope',
  'thrashes',
  'stops_at_turn_limit',
  'missing_sections',
  'broken_code',
] as const;
export type Defect = (typeof DEFECTS)[number];

/**
 * The hidden qualities of a piece of work. The simulated frontier judge sees them; the features
 * never name them, and the text shows a shortfall only with probability `traceRate`.
 * - edgeCases: the code handles the cases the goal's tests do not check;
 * - clarity: the summary says clearly what changed and how it was verified;
 * - warranted: every change was needed for the goal;
 * - candor: the final message claims nothing the code does not do;
 * - care: the agent checked the behavior beyond the test command;
 * - openness: the final message states the assumptions the agent made;
 * - errorReporting: the errors the code raises say what went wrong and what to do about it;
 * - loudFailures: no failure is swallowed behind a fallback value;
 * - trackedAsync: no background work is started without anything recording whether it ran.
 */
export const LATENTS = ['edgeCases', 'clarity', 'warranted', 'candor', 'care', 'openness', 'errorReporting', 'loudFailures', 'trackedAsync'] as const;
export type Latent = (typeof LATENTS)[number];
/** Qualities added after the first workloads were written: a workload that does not rate them has them always hold. */
const LATER_LATENTS: readonly Latent[] = ['errorReporting', 'loudFailures', 'trackedAsync'];

const Probability = z.number().min(0).max(1);
const FileSpec = z.object({ path: z.string().min(1), content: z.string() });
const DefectRates = z.object(Object.fromEntries(DEFECTS.map((d) => [d, Probability])) as Record<Defect, typeof Probability>).strict();
const LatentRates = z
  .object(Object.fromEntries(LATENTS.map((l) => [l, LATER_LATENTS.includes(l) ? Probability.default(1) : Probability])) as Record<Latent, typeof Probability>)
  .strict();
const ALL_GOOD = Object.fromEntries(LATENTS.map((l) => [l, 1])) as Record<Latent, number>;

/** USD per million tokens. */
const Price = z
  .object({ input: z.number().min(0), output: z.number().min(0), cacheWrite: z.number().min(0).default(0), cacheRead: z.number().min(0).default(0) })
  .strict();

export const WorkloadGoalSchema = z
  .object({
    id: SubjectToken,
    title: z.string().min(1),
    description: z.string().min(1),
    allowedPaths: z.array(z.string().min(1)).min(1),
    testCommand: z.string().min(1),
    /** Materialized before the agent starts: the tests live here, outside the agent's scope. */
    seedFiles: z.array(FileSpec).default([]),
    /** What a sim agent writes when its code handles the cases the tests miss (and has no broken_code). */
    solution: z.array(FileSpec).min(1),
    /** What it writes when its code misses those cases: passes the tests all the same. Default: the solution. */
    naive: z.array(FileSpec).default([]),
    /** What it writes with broken_code: replaces the solution file of the same path. */
    buggy: z.array(FileSpec).min(1),
    /** The cases the tests do not check, in words (`an empty list and non-numeric items`). */
    edgeCases: z.string().min(1).default('inputs the tests do not cover'),
    /** What a careful engineer would state as an assumption. */
    assumption: z.string().min(1).default('the inputs are well formed'),
    /** For a deployer: the command that ships the work and the one that checks it live (the goal's `deployCommand` and `verifyCommand` labels). */
    deployCommand: z.string().min(1).optional(),
    verifyCommand: z.string().min(1).optional(),
  })
  .superRefine((goal, ctx) => {
    for (const [field, files] of [['solution', goal.solution], ['naive', goal.naive], ['buggy', goal.buggy]] as const) {
      files.forEach((file, i) => {
        if (!isAllowedPath(file.path, goal.allowedPaths)) {
          ctx.addIssue({ code: 'custom', path: [field, i, 'path'], message: `${file.path} is outside allowedPaths` });
        }
      });
    }
  });

/** How a kind of drafter works: its defect rates at iteration 1 and how often each hidden quality holds. */
const ResidentProfile = z
  .object({
    defects: DefectRates.optional(),
    latent: LatentRates.optional(),
    /** What the resident's tokens cost. Default: claude-haiku-4-5's list price. */
    price: Price.optional(),
  })
  .strict();

export const WorkloadSpecSchema = z
  .object({
    seed: z.union([z.string().min(1), z.number()]).transform(String),
    goals: z.array(WorkloadGoalSchema).min(1),
    /** The frontier drafter's defect rates at iteration 1. */
    defects: DefectRates,
    /** Probability that a shortfall present at iteration n is gone at n+1, after feedback. */
    fixOnFeedback: Probability,
    judge: z.object({ noise: Probability, garbageRate: Probability }).strict(),
    /** How often each hidden quality holds in a frontier draft at iteration 1. Default: always. */
    latent: LatentRates.default(ALL_GOOD),
    /** Probability that a hidden shortfall leaves a trace in the text or the trace; otherwise only the frontier sees it. */
    traceRate: Probability.default(1),
    /** Resident drafts: cheaper, and by default exactly as good as the frontier's (set their rates to say otherwise). */
    resident: ResidentProfile.default({}),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.goals.forEach((goal, i) => {
      if (seen.has(goal.id)) ctx.addIssue({ code: 'custom', path: ['goals', i, 'id'], message: `duplicate goal id ${goal.id}` });
      seen.add(goal.id);
    });
  });

export type WorkloadGoal = z.output<typeof WorkloadGoalSchema>;
export type WorkloadSpec = z.output<typeof WorkloadSpecSchema>;
export type Drafter = 'frontier' | 'resident';

/** A drafter's defect rates and hidden-quality rates. */
export function profileOf(spec: WorkloadSpec, drafter: Drafter): { defects: Record<Defect, number>; latent: Record<Latent, number> } {
  if (drafter === 'frontier') return { defects: spec.defects, latent: spec.latent };
  return { defects: spec.resident.defects ?? spec.defects, latent: spec.resident.latent ?? spec.latent };
}

/** The bundled default workload at the repository root. */
export const DEFAULT_WORKLOAD_PATH = resolve(__dirname, '../../../../workloads/engineer-default.yaml');

export function parseWorkload(yamlText: string, source = '(inline)'): WorkloadSpec {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    throw new ValidationError(`workload ${source} is not YAML: ${(error as Error).message}`, [], { cause: error });
  }
  const parsed = WorkloadSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    throw new ValidationError(`workload ${source} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

export function loadWorkload(path: string = DEFAULT_WORKLOAD_PATH): WorkloadSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`workload ${path} cannot be read: ${(error as Error).message}`, [], { cause: error });
  }
  return parseWorkload(text, path);
}

export function goalOf(spec: WorkloadSpec, goalId: string): WorkloadGoal {
  const goal = spec.goals.find((g) => g.id === goalId);
  if (!goal) {
    throw new ValidationError(`the sim workload has no goal "${goalId}" (it has: ${spec.goals.map((g) => g.id).join(', ')})`, [
      { path: 'goal.id', message: 'unknown goal' },
    ]);
  }
  return goal;
}
