import type { EntityManager } from 'typeorm';
import { RowSet } from './row-set';
import { defineTable, RowTable } from './row-table';

export interface FoldedKeyRow {
  key: string;
}

/** The table of business keys a read model has counted: `<model>_folded`, one of the model's tables. */
export function foldedKeysTable(name: string): RowTable<FoldedKeyRow> {
  return defineTable<FoldedKeyRow>({ name, key: ['key'], columns: { key: 'text' } });
}

/**
 * The business keys (a decision's completion, a task's iteration, a grade) a read model that sums or
 * counts has already folded. Event ids do not tell a second event for the same fact from a new fact:
 * a replay under a new id, or a copy a permitted producer forged, would be added again. The keys a
 * batch names are loaded in one query and written back with the rows, in the same transaction.
 */
export class FoldedKeys {
  private constructor(private readonly rows: RowSet<FoldedKeyRow>) {}

  static async load(tx: EntityManager, table: RowTable<FoldedKeyRow>, keys: Iterable<string>): Promise<FoldedKeys> {
    return new FoldedKeys(await RowSet.load(tx, table, [...keys].map((key) => [key])));
  }

  /** True the first time `key` is folded, and records it; false ever after. */
  firstTime(key: string): boolean {
    if (this.rows.get(key)) return false;
    this.rows.put({ key });
    return true;
  }

  save(tx: EntityManager): Promise<void> {
    return this.rows.save(tx);
  }
}

/** A decision's completion: one primary and at most one shadow spot-check per decision. */
export function completionKey(decisionId: string, shadow: boolean | undefined): string {
  return `completed:${decisionId}:${shadow ? 'shadow' : 'primary'}`;
}
