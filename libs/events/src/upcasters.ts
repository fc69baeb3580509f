import { ValidationError } from '@loopwright/core';
import { stepKindOfTool, ToolName } from './run-events';

/** Turns the data of one schema version into the next. Old events are never rewritten: they are upcast on read. */
export type Upcaster = (data: unknown) => unknown;

const registry = new Map<string, Upcaster>();

function keyOf(type: string, fromVersion: number): string {
  return `${type}@${fromVersion}`;
}

export function registerUpcaster(type: string, fromVersion: number, upcaster: Upcaster): void {
  const key = keyOf(type, fromVersion);
  if (registry.has(key)) throw new Error(`an upcaster for ${type} v${fromVersion} is already registered`);
  registry.set(key, upcaster);
}

/** Applies the upcasters from `version` up to `target`, one version at a time. */
export function upcast(type: string, version: number, data: unknown, target: number): unknown {
  let current = data;
  for (let v = version; v < target; v++) {
    const step = registry.get(keyOf(type, v));
    if (!step) throw new ValidationError(`no upcaster from ${type} v${v} to v${v + 1}`, [{ path: 'schemaVersion', message: 'no upcaster' }]);
    current = step(current);
  }
  return current;
}

// goal.submitted v1 named a single `role` and a `budget`; v2 names the pipeline's `roles` and `budgetUsd`.
registerUpcaster('goal.submitted', 1, (data) => {
  const { role, budget, ...rest } = data as { role?: string; budget?: number } & Record<string, unknown>;
  return { ...rest, roles: role === undefined ? rest['roles'] : [role], budgetUsd: budget ?? rest['budgetUsd'] };
});

// trace.step v1 had two kinds for everything an agent did (`model`, `tool` + the sandbox tool's name);
// v2 names what the step was (command, read, edit, search, thought, …) and where a file step's path is.
registerUpcaster('trace.step', 1, (data) => {
  const { kind, tool, input, ...rest } = data as { kind?: string; tool?: string; input?: string } & Record<string, unknown>;
  if (kind === 'model') return { ...rest, kind: 'thought', input };
  if (kind !== 'tool') return { ...rest, kind, tool, input };
  const known = ToolName.safeParse(tool);
  if (!known.success) return { ...rest, kind: 'command', tool, input };
  const next = stepKindOfTool(known.data);
  const fileStep = next === 'read' || next === 'edit';
  return {
    ...rest, kind: next, tool, input,
    ...(fileStep ? { path: input } : {}),
    ...(next === 'edit' ? { editedBy: 'tool' } : {}),
  };
});
