import { Command } from 'commander';
import { describePredicate } from '../describe-predicate';
import type { RuleCommand } from '@loopwright/mining';
import { commandRule, readRuleRecords } from '@loopwright/service';
import { loadRubrics } from '@loopwright/rubrics';
import type { EventLog } from '@loopwright/eventlog';
import { CliContext, EXIT } from '../cli-context';
import { CalibrationLine, describeCalibrations } from '../describe-calibrations';

/** The calibrations the grader recorded, from the log: the latest per rubric version. */
async function readCalibrations(log: EventLog): Promise<CalibrationLine[]> {
  const latest = new Map<string, CalibrationLine>();
  for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.rule.*.grader.rubric.calibrated` })) {
    if (stored.event?.type !== 'rubric.calibrated') continue;
    const d = stored.event.data;
    latest.set(`${d.rubricId}@${d.rubricVersion}`, {
      rubricId: d.rubricId, rubricVersion: d.rubricVersion, runs: d.runs, passedMean: d.passed.mean, failedMean: d.failed.mean,
      separation: d.separation, gating: d.gating, reason: d.reason,
    });
  }
  return [...latest.values()];
}

async function printCalibrations(context: CliContext): Promise<void> {
  const lines = describeCalibrations(loadRubrics(process.env['LOOP_RUBRICS_DIR'] || undefined), await readCalibrations(await context.log()));
  for (const line of lines) console.log(line);
}

/** Approve or reject through the rule's decider: the same refusals whoever asks. */
async function decide(context: CliContext, ruleId: string, command: RuleCommand): Promise<void> {
  const decision = await commandRule(await context.log(), ruleId, command);
  if (!decision) {
    console.error(`rule ${ruleId} does not exist: see \`loopwright rules list\` for rule ids`);
    process.exitCode = EXIT.failed;
    return;
  }
  switch (decision.kind) {
    case 'append':
      console.log(`rule ${ruleId}: ${decision.events.map((e) => e.type).join(', ')}`);
      return;
    case 'ignore':
      console.log(`rule ${ruleId}: nothing to do (${decision.reason})`);
      return;
    case 'refuse':
      console.error(decision.message);
      process.exitCode = EXIT.failed;
      return;
    default: {
      const unreachable: never = decision;
      throw new Error(`unknown decision ${JSON.stringify(unreachable)}`);
    }
  }
}

export function rulesCommand(context: CliContext): Command {
  const rules = new Command('rules').description('rules the miner proposed (cheaper checks for recurring decisions), and whether each behavior rubric gates yet');
  rules
    .command('list')
    .description('every rule with its key, kind and state')
    .option('--state <state>', 'only rules in this state: proposed, validated, rejected, promoted, demoted')
    .action(async ({ state }: { state?: string }) => {
      const records = [...(await readRuleRecords(await context.log())).values()].filter((r) => !state || r.state.status === state);
      if (records.length === 0) console.log('no rules yet: the miner proposes them once a decision key has enough frontier history');
      for (const { state: s } of records) {
        const p = s.proposal!;
        console.log(`${s.ruleId.padEnd(52)} ${s.status.padEnd(10)} ${p.kind.padEnd(13)} ${p.key}${s.approvedBy ? `  (approved by ${s.approvedBy})` : ''}`);
      }
      if (!state) {
        console.log('');
        await printCalibrations(context);
      }
    });
  rules
    .command('calibrations')
    .description("the behavior rubrics: advisory or gating, and the calibration of the grader's own grades that decided it")
    .action(() => printCalibrations(context));
  rules
    .command('show <ruleId>')
    .description('a rule: what it decides, its evidence, validation and state')
    .action(async (ruleId: string) => {
      const record = (await readRuleRecords(await context.log(), ruleId)).get(ruleId);
      if (!record?.state.proposal) {
        console.error(`rule ${ruleId} does not exist: see \`loopwright rules list\``);
        process.exitCode = EXIT.failed;
        return;
      }
      const { state } = record;
      const p = state.proposal!;
      console.log(`rule ${state.ruleId}: ${state.status}`);
      console.log(`  decides   ${p.key} (${p.kind}${p.scopeCall ? ', a scope call' : ''})`);
      if (p.predicate) console.log(`  says      ${p.verdictWhenTrue} when ${describePredicate(p.predicate)}, else ${p.verdictWhenFalse}`);
      if (p.modelId) console.log(`  model     ${p.modelId}`);
      console.log(`  evidence  support ${p.evidence.support}, precision ${p.evidence.precision.toFixed(3)}, recall ${p.evidence.recall.toFixed(3)}`);
      if (state.validation) {
        const v = state.validation;
        console.log(`  validated golden ${v.golden.checked} checked, ${v.golden.changed.length} changed; history precision ${v.history.precision.toFixed(3)} recall ${v.history.recall.toFixed(3)} on ${v.history.n}`);
      }
      console.log(`  shadow    ${state.shadow.agreements}/${state.shadow.n} agreed${state.shadow.passed ? ' (passed)' : ''}`);
      if (state.approvedBy) console.log(`  approved  by ${state.approvedBy}`);
      if (state.rejection) console.log(`  rejected  by ${state.rejection.by}: ${state.rejection.reason}`);
      if (state.demotion) console.log(`  demoted   ${state.demotion.reason}`);
    });
  rules
    .command('approve <ruleId>')
    .description('approve a validated rule; the miner promotes it once its shadow phase has passed')
    .requiredOption('--by <name>', 'who approves')
    .option('--note <text>', 'why', '')
    .action((ruleId: string, flags: { by: string; note: string }) => decide(context, ruleId, { type: 'approve', data: { by: flags.by, note: flags.note } }));
  rules
    .command('reject <ruleId>')
    .description('reject a proposed or validated rule')
    .requiredOption('--by <name>', 'who rejects')
    .requiredOption('--reason <text>', 'why')
    .action((ruleId: string, flags: { by: string; reason: string }) => decide(context, ruleId, { type: 'reject', data: { by: flags.by, reason: flags.reason } }));
  return rules;
}
