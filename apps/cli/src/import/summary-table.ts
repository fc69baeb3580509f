import type { ImportOutcome } from './import-batch';

/** The summary at the end of an import: one row per run or refused file, then the totals. */
export function summaryTable(outcomes: readonly ImportOutcome[]): string[] {
  const rows = outcomes.map((o) => [o.result, o.format ?? '-', o.runId ?? '-', o.steps === undefined ? '-' : String(o.steps), o.result === 'refused' ? o.reason ?? '' : o.file]);
  const header = ['result', 'format', 'run', 'steps', 'file / reason'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.slice(0, 200).map((r) => (i === 4 ? 0 : r[i].length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const count = (result: ImportOutcome['result']) => outcomes.filter((o) => o.result === result).length;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w)).concat('-'.repeat(13))),
    ...rows.map(line),
    '',
    ...gapLines(outcomes),
    `imported ${count('imported')}, completed ${count('completed')}, already there ${count('already there')}, refused ${count('refused')}`,
  ];
}

/** Once per format: what its transcripts could not say, so a reader knows what the grade rests on. */
function gapLines(outcomes: readonly ImportOutcome[]): string[] {
  const byFormat = new Map<string, Set<string>>();
  for (const o of outcomes) for (const gap of o.gaps ?? []) byFormat.set(o.format!, (byFormat.get(o.format!) ?? new Set()).add(gap));
  return [...byFormat].flatMap(([format, gaps]) => [`${format} could not say:`, ...[...gaps].map((g) => `  - ${g}`)]);
}
