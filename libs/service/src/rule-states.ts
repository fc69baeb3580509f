import { createEvent, LoopEvent } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { decideRule, evolveRule, initialRuleState, RuleCommand, RuleDecision, RuleEvent, RuleIntent, RuleState } from '@loopwright/mining';

export interface RuleRecord {
  state: RuleState;
  proposedAtSeq: number;
  updatedAtSeq: number;
  /** Sequence of the first rule.validated: shadow checks count decisions requested after it. */
  validatedAtSeq: number | null;
}

const RULE_EVENT_TYPES = new Set(['rule.proposed', 'rule.validated', 'rule.rejected', 'rule.approved', 'rule.promoted', 'rule.demoted']);

/** Every rule's state, folded from the rule events in the log (the log, not a projection, has the last word). */
export async function readRuleRecords(log: EventLog, ruleId = '*'): Promise<Map<string, RuleRecord>> {
  const records = new Map<string, RuleRecord>();
  for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.rule.${ruleId}.>` })) {
    const event = stored.event;
    if (!event || !RULE_EVENT_TYPES.has(event.type)) continue;
    const fact = event as Extract<LoopEvent, RuleEvent>;
    const id = fact.data.ruleId;
    const record = records.get(id) ?? { state: initialRuleState(id), proposedAtSeq: stored.seq, updatedAtSeq: stored.seq, validatedAtSeq: null };
    const state = evolveRule(record.state, fact);
    records.set(id, {
      state,
      proposedAtSeq: record.proposedAtSeq,
      updatedAtSeq: state === record.state ? record.updatedAtSeq : stored.seq,
      validatedAtSeq: record.validatedAtSeq ?? (fact.type === 'rule.validated' ? stored.seq : null),
    });
  }
  return records;
}

/** Appends what a rule decision asked for, as the miner (or, for approvals and rejections, the submitter). */
export async function appendRuleIntents(log: EventLog, intents: readonly RuleIntent[], producer: 'miner' | 'submitter'): Promise<void> {
  for (const intent of intents) {
    await log.append(createEvent({ ...intent, producer } as Parameters<typeof createEvent>[0]));
  }
}

/** A person's command on a rule (approve, reject), decided against the rule's state in the log and appended. */
export async function commandRule(log: EventLog, ruleId: string, command: RuleCommand): Promise<RuleDecision | undefined> {
  const record = (await readRuleRecords(log, ruleId)).get(ruleId);
  if (!record) return undefined;
  const decision = decideRule(record.state, command);
  if (decision.kind === 'append') await appendRuleIntents(log, decision.events, 'submitter');
  return decision;
}
