import type { EntityManager } from 'typeorm';

/** Postgres column types the read models use; each maps to one JavaScript shape (see `decode`). */
export type ColumnType = 'text' | 'int4' | 'int8' | 'float8' | 'bool' | 'timestamptz' | 'jsonb';

/**
 * A read-model table described once: its columns and key. Rows are plain objects whose fields are
 * the column names, so loading, folding and saving need no mapping layer. Timestamps travel as ISO
 * strings, bigints as numbers, jsonb as parsed JSON.
 */
export interface RowTable<Row extends object> {
  readonly name: string;
  readonly key: readonly (keyof Row & string)[];
  readonly columns: { readonly [K in keyof Row & string]: ColumnType };
}

export function defineTable<Row extends object>(table: RowTable<Row>): RowTable<Row> {
  return table;
}

function columnNames<Row extends object>(table: RowTable<Row>): (keyof Row & string)[] {
  return Object.keys(table.columns) as (keyof Row & string)[];
}

function decode(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'int8':
      return Number(value);
    case 'timestamptz':
      return (value as Date).toISOString();
    case 'text':
    case 'int4':
    case 'float8':
    case 'bool':
    case 'jsonb':
      return value;
    default: {
      const unreachable: never = type;
      throw new Error(`unknown column type ${String(unreachable)}`);
    }
  }
}

function decodeRow<Row extends object>(table: RowTable<Row>, raw: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const name of columnNames(table)) row[name] = decode(table.columns[name], raw[name]);
  return row as Row;
}

/**
 * The rows whose keys are given, keyed by `keyOf`. One query whatever the number of keys: each key
 * column is matched with `= ANY(array)`, which the primary key index serves (a join against
 * `unnest` of the keys may be planned as a scan of the whole table); for a composite key that
 * over-selects a little, and the exact pairs are kept here.
 */
export async function loadRows<Row extends object>(
  tx: EntityManager,
  table: RowTable<Row>,
  keys: readonly (readonly unknown[])[],
): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  if (keys.length === 0) return found;
  const params = table.key.map((_, i) => [...new Set(keys.map((k) => k[i]))]);
  const where = table.key.map((column, i) => `${column} = ANY($${i + 1}::${table.columns[column]}[])`).join(' AND ');
  const rows: Record<string, unknown>[] = await tx.query(`SELECT * FROM ${table.name} WHERE ${where}`, params);
  const wanted = table.key.length > 1 ? new Set(keys.map((k) => k.map(String).join('\u001f'))) : undefined;
  for (const raw of rows) {
    const row = decodeRow(table, raw);
    const key = keyOf(table, row);
    if (!wanted || wanted.has(key)) found.set(key, row);
  }
  return found;
}

export function keyOf<Row extends object>(table: RowTable<Row>, row: Row): string {
  return table.key.map((column) => String(row[column])).join('\u001f');
}

/**
 * Writes rows in one multi-row statement: the rows travel as one JSON array of arrays, each row's
 * values in the table's column order, replacing rows with the same key or leaving existing ones
 * alone. The rows must have distinct keys when replacing. Values without their column names cost
 * Postgres a third less than rows as JSON objects (`json_populate_recordset` matches every row's
 * field names) and the client half as much. A jsonb column gets the value's JSON; JSON null
 * (undefined, a non-finite number) is SQL NULL in every column, jsonb included.
 */
export async function writeRows<Row extends object>(
  tx: EntityManager,
  table: RowTable<Row>,
  rows: readonly Row[],
  onConflict: 'replace' | 'keep',
): Promise<void> {
  if (rows.length === 0) return;
  const names = columnNames(table);
  const others = names.filter((column) => !table.key.includes(column));
  const conflict =
    onConflict === 'keep' || others.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${others.map((column) => `${column} = excluded.${column}`).join(', ')}`;
  const values = names.map((name, i) => (table.columns[name] === 'jsonb' ? `nullif(r->${i}, 'null')` : `(r->>${i})::${table.columns[name]}`));
  await tx.query(
    `INSERT INTO ${table.name} (${names.join(', ')}) SELECT ${values.join(', ')} FROM jsonb_array_elements($1::jsonb) r
     ON CONFLICT (${table.key.join(', ')}) ${conflict}`,
    [JSON.stringify(rows.map((row) => names.map((name) => row[name])))],
  );
}
