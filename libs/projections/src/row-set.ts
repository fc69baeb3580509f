import type { EntityManager } from 'typeorm';
import { keyOf, loadRows, RowTable, writeRows } from './row-table';

/**
 * The rows of one table that a batch of events touches: loaded in one query, changed in memory
 * event by event in log order, written back in one statement. Live (one event per transaction)
 * and rebuild (thousands per transaction) run the same fold, so they end in the same rows.
 */
export class RowSet<Row extends object> {
  private readonly changed = new Set<string>();

  private constructor(
    private readonly table: RowTable<Row>,
    private readonly rows: Map<string, Row>,
  ) {}

  static async load<Row extends object>(
    tx: EntityManager,
    table: RowTable<Row>,
    keys: Iterable<readonly unknown[]>,
  ): Promise<RowSet<Row>> {
    const distinct = new Map<string, readonly unknown[]>();
    for (const key of keys) distinct.set(key.map(String).join('\u001f'), key);
    return new RowSet(table, await loadRows(tx, table, [...distinct.values()]));
  }

  get(...key: unknown[]): Row | undefined {
    return this.rows.get(key.map(String).join('\u001f'));
  }

  /** Records a new or changed row (the object may be the one `get` returned, mutated). */
  put(row: Row): void {
    const key = keyOf(this.table, row);
    this.rows.set(key, row);
    this.changed.add(key);
  }

  values(): IterableIterator<Row> {
    return this.rows.values();
  }

  async save(tx: EntityManager): Promise<void> {
    const rows = [...this.changed].map((key) => this.rows.get(key) as Row);
    await writeRows(tx, this.table, rows, 'replace');
    this.changed.clear();
  }
}
