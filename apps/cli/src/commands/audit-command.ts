import { Command } from 'commander';
import type { RulePromoted } from '@loopwright/events';
import { verifyLog } from '@loopwright/eventlog';
import { rederiveGrades } from '@loopwright/grading';
import { loadRubrics } from '@loopwright/rubrics';
import { CliContext, EXIT } from '../cli-context';
import { describeEvent } from '../describe-event';
import { rederiveDeterministic } from '../rederive-decisions';

export function auditCommand(context: CliContext): Command {
  const audit = new Command('audit').description('check the log');
  audit
    .command('verify')
    .description('recompute the hash chain from sequence 1 and compare it with the recorded audit checkpoints')
    .action(async () => {
      const log = await context.log();
      const result = await verifyLog(log);
      if (result.ok) {
        console.log(`ok: ${result.checked} events from seq 1 to ${result.lastSeq}; chain ${result.chainHash}`);
        return;
      }
      console.error(`the log diverges at seq ${result.firstDivergentSeq} (last good checkpoint at seq ${result.lastGoodSeq}): ${result.reason}`);
      process.exitCode = EXIT.failed;
    });
  audit
    .command('replay')
    .description("print a run's timeline and re-derive its deterministic decisions from the recorded inputs")
    .requiredOption('--run <runId>', 'the run to replay')
    .action(async ({ run }: { run: string }) => {
      const log = await context.log();
      const events = await log.readRun(run);
      if (events.length === 0) {
        console.error(`no events for run ${run}: see \`loopwright runs list\` for run ids`);
        process.exitCode = EXIT.usage;
        return;
      }
      for (const e of events) console.log(`[${e.seq}] ${e.occurredAt.slice(11, 23)} ${describeEvent(e)}`);
      const rules = new Map<string, RulePromoted>();
      for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.rule.*.*.rule.promoted` })) {
        if (stored.event?.type === 'rule.promoted') rules.set(stored.event.data.ruleId, stored.event.data);
      }
      const checks = rederiveDeterministic(events, rules);
      const mismatches = checks.filter((c) => !c.match);
      console.log(`\nre-derived ${checks.length} deterministic decision(s): ${checks.length - mismatches.length} match the record`);
      for (const m of mismatches) console.log(`  MISMATCH ${m.key} (${m.by}): recorded ${m.recorded}, re-derived ${m.rederived}`);
      const grades = rederiveGrades(loadRubrics(process.env['LOOP_RUBRICS_DIR'] || undefined), events);
      const gradeMismatches = grades.filter((g) => !g.match);
      console.log(`re-derived ${grades.length} grade(s) from the recorded verification and verdicts: ${grades.length - gradeMismatches.length} match the record`);
      for (const g of gradeMismatches) console.log(`  MISMATCH grade of ${g.workId}: recorded ${JSON.stringify(g.recorded)}, re-derived ${JSON.stringify(g.rederived)}`);
      if (mismatches.length > 0 || gradeMismatches.length > 0) process.exitCode = EXIT.failed;
    });
  return audit;
}
