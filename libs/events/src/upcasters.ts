import { ValidationError } from '@loopwright/core';

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
