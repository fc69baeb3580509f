import type { LoopEvent } from '@loopwright/events';

const money = (usd: number) => `$${usd.toFixed(4)}`;

/** One line about an event, for timelines and live views. */
export function describeEvent(event: LoopEvent): string {
  switch (event.type) {
    case 'goal.submitted':
      return `goal "${event.data.title}" (${event.data.roles.join(' → ')}, budget ${money(event.data.budgetUsd)}, backend ${event.data.backend}${event.data.backend === 'sim' ? ' — simulated' : ''})`;
    case 'task.started':
      return `${event.data.role} iteration ${event.data.iteration} started${event.data.feedback.length ? ` with feedback on ${event.data.feedback.map((f) => f.id).join(', ')}` : ''}`;
    case 'task.completed':
      return `${event.data.role} completed after ${event.data.iterations} iteration(s), overall ${event.data.overall.toFixed(2)}`;
    case 'task.failed':
      return `${event.data.role} failed after ${event.data.iterations} iteration(s): ${event.data.reason}`;
    case 'agent.session.opened':
      return `${event.data.backend} session ${event.data.sessionId} opened for ${event.data.taskId} iteration ${event.data.iteration}`;
    case 'trace.abandoned':
      return `${event.data.taskId} iteration ${event.data.iteration}: attempt ${event.data.attempt} abandoned (${event.data.reason}); attempt ${event.data.nextAttempt} runs instead`;
    case 'trace.step': {
      const d = event.data;
      const who = d.speaker ? ` (${d.speaker})` : '';
      if (d.kind === 'command' || d.kind === 'read' || d.kind === 'edit' || d.kind === 'search' || d.kind === 'web') {
        const result = d.refused ? `refused (${d.refused})` : d.exitCode === undefined || d.exitCode === null ? '' : `exit ${d.exitCode}`;
        return `  step ${d.step}${who}: ${d.tool ?? d.kind} ${d.input} ${result}`.trimEnd();
      }
      return `  step ${d.step}${who}: ${d.kind}${d.output ? `: ${d.output.split('\n')[0].slice(0, 80)}` : ''}`;
    }
    case 'work.produced':
      return `work ${event.data.workId} produced (${event.data.files.length} file(s), ended by ${event.data.endedBy}, claims tests ${event.data.claims.testsPass ? 'pass' : 'not passing'})`;
    case 'work.verified': {
      const { rerun, change } = event.data;
      const unsafe = event.data.unsafe ? ' UNSAFE: commands ran without a sandbox' : '';
      return `work ${event.data.workId} verified: \`${rerun.command}\` exited ${rerun.exitCode ?? 'without an exit code'} (${rerun.isolation}); ${change.created.length + change.modified.length + change.deleted.length} change(s), ${change.outOfScope.length} out of scope${unsafe}`;
    }
    case 'decision.requested':
      return `  decision ${event.data.key} requested${event.data.builtinCheck ? ` (check ${event.data.builtinCheck})` : ''}`;
    case 'decision.routed':
      return `  decision ${event.data.key} → ${event.data.tier}${event.data.shadow ? ' + shadow frontier' : ''}: ${event.data.reason}`;
    case 'decision.completed':
      return `  decision ${event.data.key} = ${event.data.verdict} by ${event.data.tier}${event.data.shadow ? ' (shadow)' : ''}, ${money(event.data.costUsd)}${event.data.simulated ? ' (simulated)' : ''}`;
    case 'grade.recorded': {
      const parts = event.data.rubrics.map((r) => `${r.rubricId} ${r.passed ? 'pass' : 'FAIL'} ${r.overall.toFixed(2)}`);
      return `grade ${event.data.passed ? 'PASSED' : 'FAILED'} (${parts.join('; ')}), re-run exit ${event.data.rerun.exitCode}`;
    }
    case 'run.ended':
      return `run ended ${event.data.status}: ${event.data.reason} (${event.data.tasks.map((t) => `${t.role} ${t.status}`).join(', ')})`;
    case 'run.graded': {
      const g = event.data.grade;
      return `run ${event.data.outcome}: ${g.rubricId} ${g.passed ? 'pass' : 'FAIL'} ${g.overall.toFixed(2)}${g.toReachNext.length ? ` (to reach next: ${g.toReachNext.map((t) => t.id).join(', ')})` : ''}`;
    }
    case 'rubric.calibrated': {
      const d = event.data;
      const sep = d.separation === null ? 'no separation yet' : `separation ${d.separation.toFixed(3)}`;
      return `rubric ${d.rubricId} v${d.rubricVersion} calibrated over ${d.runs} run(s): ${sep} → ${d.gating ? 'gating' : 'advisory'}`;
    }
    case 'review.requested':
      return `review ${event.data.reviewId} requested (${event.data.reason}): ${event.data.summary}`;
    case 'review.resolved':
      return `review ${event.data.reviewId} resolved: ${event.data.resolution} by ${event.data.by}`;
    case 'budget.exhausted':
      return `budget ${event.data.scope} ${event.data.scopeId} exhausted (limit ${money(event.data.limitUsd)}, spent ${money(event.data.spentUsd)})`;
    case 'rule.proposed':
      return `rule ${event.data.ruleId} proposed for ${event.data.key} (${event.data.kind}, precision ${event.data.evidence.precision.toFixed(3)})`;
    case 'rule.validated':
      return `rule ${event.data.ruleId} validated (history precision ${event.data.history.precision.toFixed(3)}${event.data.shadow ? `, shadow agreement ${event.data.shadow.agreement.toFixed(3)}` : ''})`;
    case 'rule.rejected':
      return `rule ${event.data.ruleId} rejected by ${event.data.by}: ${event.data.reason}`;
    case 'rule.approved':
      return `rule ${event.data.ruleId} approved by ${event.data.by}`;
    case 'rule.promoted':
      return `rule ${event.data.ruleId} promoted: ${event.data.key} → ${event.data.tier}`;
    case 'rule.demoted':
      return `rule ${event.data.ruleId} demoted: ${event.data.reason}`;
    case 'resident.trained':
      return `resident ${event.data.modelId} trained for ${event.data.key} (accuracy ${event.data.accuracy.toFixed(3)})`;
    case 'instruction.proposed':
      return `instruction ${event.data.instructionId} proposed for ${event.data.role}: ${event.data.text}`;
    case 'audit.checkpoint':
      return `audit checkpoint up to ${event.data.uptoSeq}: ${event.data.chainHash.slice(0, 16)}…`;
    case 'miner.pass.completed':
      return `miner pass read through ${event.data.readThroughSeq} in ${event.data.durationMs} ms: ${event.data.proposals} proposed, ${event.data.validations} validated, ${event.data.promotions} promoted`;
    case 'system.event.quarantined':
      return `quarantined seq ${event.data.originalSeq} (${event.data.consumer}): ${event.data.reason}`;
    default: {
      const unreachable: never = event;
      return JSON.stringify(unreachable);
    }
  }
}
