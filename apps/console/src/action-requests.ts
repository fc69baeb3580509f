import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '@loopwright/core';
import { EventDataInput, SubjectToken } from '@loopwright/events';
import { newRunId, parseGoal, RESOLUTIONS } from '@loopwright/actions';

const Who = z.string().trim().min(1, 'say who decides (a name)');

export const ResolveReviewRequest = z.object({
  resolution: z.enum(RESOLUTIONS, { message: 'must be accept, reject or retry' }),
  by: Who,
  note: z.string().default(''),
});

export const ApproveRuleRequest = z.object({ by: Who, note: z.string().default('') });

export const RejectRuleRequest = z.object({ by: Who, reason: z.string().trim().min(1, 'say why the rule is rejected') });

/** A request body checked against its schema; what is wrong is named field by field. */
export function parseRequest<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new ValidationError(`${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

const list = (value: unknown): unknown =>
  typeof value === 'string' ? value.split(/[\n,]/).map((s) => s.trim()).filter(Boolean) : value;
const number = (value: unknown): unknown => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value === '' ? undefined : value);

function yamlFields(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ValidationError(`the goal YAML does not parse: ${(error as Error).message}`, [{ path: 'yaml', message: 'not YAML' }]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValidationError('the goal YAML must be a mapping of goal fields (title, seedFiles, …)', [{ path: 'yaml', message: 'not a mapping' }]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * A goal from the console's form or a JSON body: like the command line's file and flags, a `yaml`
 * text (a goal file's content) with the other fields winning over it. The form sends text, so lists
 * may come as lines or commas and numbers as strings; `simGoal` and `simSeed` become labels. The
 * result is checked by the same goal.submitted schema the command line uses.
 */
export function goalFromRequest(body: unknown): { runId: string; goal: EventDataInput<'goal.submitted'> } {
  const given = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const { yaml, ...overrides } = given;
  const filled = Object.entries(overrides).filter(([, value]) => value !== '' && value !== undefined && value !== null);
  const input: Record<string, unknown> = { ...yamlFields(yaml), ...Object.fromEntries(filled) };
  const { runId: givenRunId, simGoal, simSeed, labels, ...fields } = input;
  const runId = typeof givenRunId === 'string' && givenRunId.trim() !== '' ? givenRunId.trim() : newRunId();
  if (!SubjectToken.safeParse(runId).success) {
    throw new ValidationError(`the run id "${runId}" is not valid: use letters, digits, "_" or "-", or leave it empty for a new one`, [
      { path: 'runId', message: 'must be letters, digits, "_" or "-"' },
    ]);
  }
  const candidate: Record<string, unknown> = { goalId: runId };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'roles' || key === 'allowedPaths') candidate[key] = list(value);
    else if (key === 'budgetUsd' || key === 'maxIterations' || key === 'maxTurns') candidate[key] = number(value);
    else candidate[key] = value;
  }
  candidate['labels'] = {
    ...(labels && typeof labels === 'object' ? labels : {}),
    ...(typeof simGoal === 'string' && simGoal && { simGoal }),
    ...(typeof simSeed === 'string' && simSeed && { simSeed }),
  };
  return { runId, goal: parseGoal(candidate, 'Fill in title, description, roles, allowed paths, test command and budget (USD), then submit again.') };
}
