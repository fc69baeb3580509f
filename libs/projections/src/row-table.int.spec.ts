import type { DataSource } from 'typeorm';
import { createTestSchema, TestSchema } from '@loopwright/testing';
import { openDatabase } from './data-source';
import { defineTable, loadRows, writeRows } from './row-table';

interface SampleRow {
  id: string;
  part: number;
  label: string | null;
  count: number | null;
  big: number | null;
  ratio: number | null;
  flag: boolean | null;
  at: string | null;
  doc: unknown;
}

const SAMPLE = defineTable<SampleRow>({
  name: 'row_table_sample',
  key: ['id', 'part'],
  columns: { id: 'text', part: 'int4', label: 'text', count: 'int4', big: 'int8', ratio: 'float8', flag: 'bool', at: 'timestamptz', doc: 'jsonb' },
});

/** Text that any hand-made encoding of rows could get wrong: quotes, backslashes, separators, braces, the word NULL. */
const AWKWARD = ['', 'NULL', 'null', ' padded ', 'a,b', '{x}', '"quoted"', 'back\\slash', 'tab\tnew\nline', 'ünï ✓ 𝄞', "it's", '\\"'];

function row(id: string, part: number, overrides: Partial<SampleRow> = {}): SampleRow {
  return { id, part, label: null, count: null, big: null, ratio: null, flag: null, at: null, doc: null, ...overrides };
}

describe('writing and loading read-model rows (real PostgreSQL)', () => {
  let schema: TestSchema;
  let db: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('row_table');
    db = await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, []);
    await db.query(
      `CREATE TABLE row_table_sample (id text, part int4, label text, count int4, big int8, ratio float8, flag bool, at timestamptz,
         doc jsonb, PRIMARY KEY (id, part))`,
    );
  });

  afterAll(async () => {
    await db.destroy();
    await schema.drop();
  });

  beforeEach(() => db.query('TRUNCATE row_table_sample'));

  it('loads back exactly what it wrote, whatever the text, numbers, timestamps and JSON hold', async () => {
    const rows = [
      ...AWKWARD.map((text, i) =>
        row(text, i, { label: text, doc: { text, list: [text, 1, null, true], nested: { [text]: text } } }),
      ),
      row('numbers', 1, { count: -2147483648, big: 9007199254740991, ratio: 1e-7, flag: true }),
      row('numbers', 2, { count: 0, big: -1, ratio: -123.456e20, flag: false }),
      row('time', 1, { at: '2026-12-05T21:04:37.123Z' }),
      row('json scalars', 1, { doc: 'a string' }),
      row('json scalars', 2, { doc: 42.5 }),
      row('json scalars', 3, { doc: [] }),
      row('json scalars', 4, { doc: {} }),
      row('nulls', 1),
    ];
    await writeRows(db.manager, SAMPLE, rows, 'replace');
    const loaded = await loadRows(db.manager, SAMPLE, rows.map((r) => [r.id, r.part]));
    expect([...loaded.values()].sort(byKey)).toEqual([...rows].sort(byKey));
    // A null value is SQL NULL, not a JSON null in the jsonb column.
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM row_table_sample WHERE doc IS NULL');
    expect(n).toBe(rows.filter((r) => r.doc === null).length);
  });

  it('replaces rows with the same key, or keeps the existing ones', async () => {
    await writeRows(db.manager, SAMPLE, [row('a', 1, { label: 'first' }), row('b', 1, { label: 'first' })], 'replace');
    await writeRows(db.manager, SAMPLE, [row('a', 1, { label: 'second', count: 2 })], 'replace');
    await writeRows(db.manager, SAMPLE, [row('b', 1, { label: 'second' }), row('c', 1, { label: 'new' })], 'keep');
    const loaded = await loadRows(db.manager, SAMPLE, [['a', 1], ['b', 1], ['c', 1]]);
    expect([...loaded.values()].sort(byKey)).toEqual([
      row('a', 1, { label: 'second', count: 2 }), row('b', 1, { label: 'first' }), row('c', 1, { label: 'new' }),
    ]);
  });
});

function byKey(a: SampleRow, b: SampleRow): number {
  return a.id === b.id ? a.part - b.part : a.id < b.id ? -1 : 1;
}
