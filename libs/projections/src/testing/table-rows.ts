import type { DataSource } from 'typeorm';

/** Every row of the tables, each table sorted by all its columns: two projections compare equal row for row. */
export async function tableRows(db: DataSource, tables: readonly string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const columns: { column_name: string }[] = await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    const order = columns.map((c) => `"${c.column_name}"::text`).join(', ');
    out[table] = await db.query(`SELECT * FROM ${table} ORDER BY ${order}`);
  }
  return out;
}
