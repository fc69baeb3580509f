import { Command } from 'commander';
import { runDetail, RunSummary, runsList } from '@loopwright/projections';
import { CliContext, EXIT } from '../cli-context';

/** Each role of the pipeline with the state run.ended gave it; the bare pipeline while the run has not ended. */
export function describePipeline(run: Pick<RunSummary, 'roles' | 'end'>): string {
  return run.end ? run.end.roles.map((r) => `${r.role} ${r.status}`).join(' → ') : run.roles.join(' → ');
}

export function runsCommand(context: CliContext): Command {
  const runs = new Command('runs').description('runs, from the projections the miner keeps');
  runs
    .command('list')
    .description('the most recent runs')
    .option('--status <status>', 'only runs with this status: submitted, running, review, done, stuck, gate-failed, blocked-on-questions (completed, failed: logs from before run.ended)')
    .option('--limit <n>', 'how many', '20')
    .action(async ({ status, limit }: { status?: string; limit: string }) => {
      const rows = await runsList(await context.db(), { status, limit: Number(limit) });
      if (rows.length === 0) {
        console.log('no runs in the projections: submit one with `loopwright goal submit`, and keep the miner running to project it');
        return;
      }
      console.log('run                           status               iter   cost       goal; roles');
      for (const r of rows) {
        console.log(
          `${r.runId.padEnd(29)} ${r.status.padEnd(20)} ${String(r.iterations).padStart(4)}   $${r.costUsd.toFixed(4).padEnd(8)} ${r.title}${r.simulated ? ' (simulated)' : ''}; ${describePipeline(r)}`,
        );
      }
    });
  runs
    .command('show <runId>')
    .description('a run: its tasks, grades (item by item, with the tier that decided each) and decisions by tier')
    .action(async (runId: string) => {
      const detail = await runDetail(await context.db(), runId);
      if (!detail) {
        console.error(`no run ${runId} in the projections: see \`loopwright runs list\``);
        process.exitCode = EXIT.failed;
        return;
      }
      const { run } = detail;
      console.log(`run ${run.runId}: ${run.status} — "${run.title}" (${describePipeline(run)}), ${run.iterations} iteration(s), $${run.costUsd.toFixed(4)}${run.simulated ? ', simulated' : ''}`);
      if (run.end) console.log(`  ended ${run.status}: ${run.end.reason}`);
      for (const t of detail.tasks) console.log(`  task ${t.taskId} ${t.role} iteration ${t.iteration}: ${t.status}${t.failureReason ? ` (${t.failureReason})` : ''}`);
      for (const g of detail.grades) {
        console.log(`  grade ${g.gradeId} iteration ${g.iteration}: ${g.passed ? 'passed' : 'FAILED'}, overall ${g.overall.toFixed(2)}`);
        for (const i of g.items) {
          const value = i.kind === 'gate' ? (i.passed ? 'pass' : 'FAIL') : String(i.score ?? 'not scored');
          console.log(`    ${i.rubricId.padEnd(18)} ${i.itemId.padEnd(26)} ${value.padEnd(10)} by ${i.tier}`);
        }
      }
      console.log(`  decisions by tier: ${Object.entries(detail.decisionsByTier).map(([tier, n]) => `${tier} ${n}`).join(', ')}`);
      for (const r of detail.reviews) console.log(`  review ${r.reviewId} (${r.reason}): ${r.status}`);
    });
  return runs;
}
