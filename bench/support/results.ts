import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadAverage, MachineFacts } from './machine';
import { sourceState } from './source-state';

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

/** What one benchmark run measured, as written to `bench/results/<name>.json`. */
export interface BenchResult {
  benchmark: string;
  machine: MachineFacts;
  params: Record<string, number | string>;
  /** Source paths the figures depend on: the result records the commit and any uncommitted change in them. */
  measuredPaths: string[];
  source?: { commit: string; uncommittedIn: string[] };
  tables: Record<string, Row[]>;
  notes?: string[];
}

export const RESULTS_DIR = path.resolve(__dirname, '..', 'results');

function formatCell(cell: Cell): string {
  if (cell === null) return '–';
  if (typeof cell === 'string') return cell;
  if (!Number.isFinite(cell)) return String(cell);
  const digits = Math.abs(cell) >= 100 ? 0 : Math.abs(cell) >= 10 ? 1 : 2;
  return cell.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Prints rows as an aligned table: text columns left, numbers right. */
export function printTable(title: string, rows: readonly Row[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c] ?? null)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const numeric = columns.map((c) => rows.every((row) => typeof row[c] === 'number' || row[c] === null));
  const line = (values: string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(line(row));
}

export function printMachine(machine: MachineFacts): void {
  console.log(
    `\n${machine.date} · ${machine.cpuModel} × ${machine.cores} · node ${machine.node} · nats-server ${machine.natsServer}` +
      (machine.postgres ? ` · PostgreSQL ${machine.postgres}` : '') +
      ` · load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd?.join(' ') ?? '?'} at end`,
  );
}

/** Prints every table and writes the result file; returns its path. */
export function reportResults(result: BenchResult): string {
  result.machine.loadAverageAtEnd = loadAverage();
  result.source = sourceState(result.measuredPaths);
  printMachine(result.machine);
  console.log(
    `code at ${result.source.commit}` +
      (result.source.uncommittedIn.length ? ` with uncommitted changes in ${result.source.uncommittedIn.join(', ')}` : ', no uncommitted changes in the measured code'),
  );
  for (const [title, rows] of Object.entries(result.tables)) printTable(title, rows);
  for (const note of result.notes ?? []) console.log(`note: ${note}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.benchmark}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
  return file;
}
