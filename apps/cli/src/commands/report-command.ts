import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { latestRubricCalibrations, tierShareByWindow } from '@loopwright/projections';
import { loadRubrics } from '@loopwright/rubrics';
import { describeCalibrations } from '../describe-calibrations';
import { demoReportHtml, tierWindowFromCounts } from '@loopwright/report';
import type { CliContext } from '../cli-context';

const pct = (n: number) => `${(n * 100).toFixed(1).padStart(5)}%`;

export function reportCommand(context: CliContext): Command {
  return new Command('report')
    .description('tier share per window of runs, as a table and an HTML chart')
    .option('--window <n>', 'runs per window', '25')
    .option('--out <file>', 'where to write the chart', 'reports/tier-share.html')
    .action(async ({ window, out }: { window: string; out: string }) => {
      const rows = await tierShareByWindow(await context.db(), Number(window));
      if (rows.length === 0) {
        console.log('no decisions in the projections yet');
        return;
      }
      const windows = rows.map(tierWindowFromCounts);
      console.log('runs          decisions  frontier  resident  determ.   human   cost/run');
      for (const w of windows) {
        console.log(`${w.runs.padEnd(13)} ${String(w.decisions).padStart(9)}  ${pct(w.frontierShare)}    ${pct(w.residentShare)}    ${pct(w.deterministicShare)}   ${pct(w.humanShare)}   $${w.costUsd.toFixed(4)}`);
      }
      const calibrations = (await latestRubricCalibrations(await context.db())).map((r) => ({
        rubricId: r.rubric_id, rubricVersion: r.rubric_version, runs: r.runs, passedMean: r.passed_mean, failedMean: r.failed_mean,
        separation: r.separation, gating: r.gating, reason: r.reason,
      }));
      const calibrationLines = describeCalibrations(loadRubrics(process.env['LOOP_RUBRICS_DIR'] || undefined), calibrations);
      if (calibrationLines.length > 0) console.log(['', ...calibrationLines].join('\n'));
      const file = path.resolve(out);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, demoReportHtml({ windows, agreement: null, goldenKnownBadPassed: 0, runs: rows.reduce((n, w) => n + w.runs, 0), seed: '-', simulated: false, calibrations: calibrationLines }));
      console.log(`chart: ${path.relative(process.cwd(), file)}`);
    });
}
