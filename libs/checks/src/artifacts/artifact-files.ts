import { z } from 'zod';
import type { Role } from '@loopwright/events';
import { schemaIssues, SchemaIssue } from '../schema-issues';

/**
 * Where each role's artifact lives in the workspace it hands on. A role writes its own artifacts
 * with its tools; the next role starts from that workspace and reads them. The release gate is the
 * exception: code synthesizes it from the grader's own evidence, and the executor lays it in the
 * deployer's workspace; the grader never trusts a copy found in a workspace.
 */
export const ARTIFACT_DIR = '.loopwright';
export const ARTIFACT_PATHS = {
  taskPlan: `${ARTIFACT_DIR}/task-plan.json`,
  reviewReport: `${ARTIFACT_DIR}/review-report.json`,
  probePlan: `${ARTIFACT_DIR}/probe-plan.json`,
  releaseGate: `${ARTIFACT_DIR}/release-gate.json`,
  handoff: (role: Role) => `${ARTIFACT_DIR}/handoffs/${role}.json`,
} as const;

/** The artifact files a role writes, and those it is given: neither counts against its boundary. */
export function roleArtifactFiles(role: Role): { writes: string[]; inputs: string[] } {
  const own: Partial<Record<Role, string[]>> = {
    planner: [ARTIFACT_PATHS.taskPlan],
    architect: [ARTIFACT_PATHS.reviewReport],
    tester: [ARTIFACT_PATHS.probePlan],
  };
  return {
    writes: [...(own[role] ?? []), ARTIFACT_PATHS.handoff(role)],
    inputs: role === 'deployer' ? [ARTIFACT_PATHS.releaseGate] : [],
  };
}

/** A file of the workspace, as the grader decoded it from the delivered snapshot. */
export interface WorkspaceText {
  path: string;
  content: string;
}

/** An artifact read from a workspace: absent or unreadable (`value: null`, with why), or its parsed value. */
export interface ArtifactRead<T> {
  present: boolean;
  value: T | null;
  issues: SchemaIssue[];
}

/** Reads and validates a JSON artifact; every problem is named by its field path, never thrown. */
export function readArtifact<S extends z.ZodType>(files: readonly WorkspaceText[], path: string, schema: S): ArtifactRead<z.output<S>> {
  const file = files.find((f) => f.path === path);
  if (!file) return { present: false, value: null, issues: [{ path: '(file)', message: `${path} is missing` }] };
  let raw: unknown;
  try {
    raw = JSON.parse(file.content);
  } catch (error) {
    return { present: true, value: null, issues: [{ path: '(file)', message: `${path} is not JSON: ${(error as Error).message}` }] };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? { present: true, value: parsed.data, issues: [] } : { present: true, value: null, issues: schemaIssues(parsed.error) };
}

/** Issues as one line for a feature: `tasks.1.owner: Invalid option; …` (at most five). */
export function issueList(issues: readonly SchemaIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  return issues.length > 5 ? `${shown.join('; ')}; and ${issues.length - 5} more` : shown.join('; ');
}

export const Text = z.string().trim().min(1);
