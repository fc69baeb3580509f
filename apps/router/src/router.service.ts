import { Inject, Injectable } from '@nestjs/common';
import { InfrastructureError } from '@loopwright/core';
import { createEvent, EventOf, NewEvent } from '@loopwright/events';
import { BudgetAccount, BudgetLedger, DayAccount, reservedMicros, toUsd, type EventLog } from '@loopwright/eventlog';
import { EVENT_LOG, LOOP_METRICS, LoopMetrics } from '@loopwright/service';
import { routeDecision } from './domain/route-decision';
import { BudgetLedger as LedgerView, dayOf, evolveRouter, initialRouterState, RouterState } from './domain/router-state';
import { ROUTER_CONFIG } from './router.tokens';
import type { RouterConfig } from './router.config';

/** How often a route is decided again when another router took the money between the read and the hold. */
const HOLD_ATTEMPTS = 10;

// A decision routed again (redelivered after its hold) must not find its own hold in the way.
const goalView = (account: BudgetAccount, ownMicros: number): LedgerView => ({
  limitUsd: toUsd(account.limitMicros),
  spentUsd: toUsd(account.spentMicros),
  reservedUsd: toUsd(reservedMicros(account) - ownMicros),
  shadowAll: account.shadowAll,
});
const dayView = (account: DayAccount, ownMicros: number): LedgerView => ({
  limitUsd: toUsd(account.limitMicros),
  spentUsd: toUsd(account.spentMicros),
  reservedUsd: toUsd(account.reservedMicros - ownMicros),
});

/**
 * Carries out the routing policy's intents. Rules are folded from the log into memory, caught up
 * before each decision (a durable hands each rule event to one replica only, so every replica reads
 * them from the log itself); budgets live in the shared ledger (a KV bucket), read before each
 * decision and held by compare-and-set, so routers running side by side never hold more than a budget has.
 */
@Injectable()
export class RouterService {
  private readonly rules: RouterState;
  private readonly ledger: Promise<BudgetLedger>;
  /** The last rule event folded into `rules`. */
  private rulesSeq = 0;
  private rulesCaughtUp: Promise<void> = Promise.resolve();

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {
    this.rules = initialRouterState(config.dailyBudgetUsd);
    this.metrics.zeroDecisionSeries();
    this.ledger = log.budgets(config.dailyBudgetUsd);
  }

  /** Folds the rule events appended since the last catch-up; one look at the log when there are none. */
  private catchUpRules(): Promise<void> {
    this.rulesCaughtUp = this.rulesCaughtUp.catch(() => undefined).then(async () => {
      const filter = `${this.log.config.subjectRoot}.rule.>`;
      const last = await this.log.jsm.streams.getMessage(this.log.config.streamName, { last_by_subj: filter });
      if (!last || last.seq <= this.rulesSeq) return;
      for await (const stored of this.log.replay({ filter, fromSeq: this.rulesSeq + 1 })) {
        if (stored.event) evolveRouter(this.rules, stored.event);
        this.rulesSeq = stored.seq;
      }
    });
    return this.rulesCaughtUp;
  }

  /** A goal's opening and a decision's cost, into the shared ledger. */
  async apply(event: EventOf<'goal.submitted' | 'decision.completed'>): Promise<void> {
    const ledger = await this.ledger;
    switch (event.type) {
      case 'goal.submitted':
        await ledger.openGoal(event.aggregateId, event.data.budgetUsd, event.data.labels['shadowAll'] === 'true');
        return;
      case 'decision.completed': {
        const { decisionId, shadow, costUsd, key, tier } = event.data;
        await ledger.settle(event.aggregateId, shadow ? `${decisionId}:shadow` : decisionId, decisionId, costUsd, dayOf(event.occurredAt));
        if (shadow) return;
        const [requester, role, kind] = key.split(':');
        const labels = { tier, requester, role, kind };
        this.metrics.decisions.inc(labels);
        this.metrics.decisionCost.inc(labels, costUsd);
        return;
      }
    }
  }

  /** A goal's account; a goal from before the ledger existed is opened from its goal.submitted. */
  private async goalAccount(ledger: BudgetLedger, runId: string): Promise<BudgetAccount | undefined> {
    const account = await ledger.goal(runId);
    if (account) return account;
    for await (const stored of this.log.replay({ filter: `${this.log.config.subjectRoot}.run.${runId}.*.goal.submitted` })) {
      if (stored.event?.type !== 'goal.submitted') continue;
      await ledger.openGoal(runId, stored.event.data.budgetUsd, stored.event.data.labels['shadowAll'] === 'true');
      return ledger.goal(runId);
    }
    return undefined;
  }

  async route(request: EventOf<'decision.requested'>): Promise<void> {
    const ledger = await this.ledger;
    await this.catchUpRules();
    const runId = request.aggregateId;
    const day = dayOf(request.occurredAt);
    for (let attempt = 0; attempt < HOLD_ATTEMPTS; attempt++) {
      const [account, dayAccount] = await Promise.all([this.goalAccount(ledger, runId), ledger.day(day)]);
      const own = account?.open[request.data.decisionId]?.micros ?? 0;
      const state: RouterState = {
        ...this.rules,
        goals: new Map(account ? [[runId, goalView(account, own)]] : []),
        days: new Map([[day, dayView(dayAccount, own)]]),
      };
      const outcome = routeDecision(state, request, { frontierModel: this.config.frontierModel });
      if (outcome.kind === 'wait') throw new InfrastructureError(outcome.reason);
      const usd = outcome.events.reduce((sum, e) => sum + (e.type === 'decision.routed' ? (e as NewEvent<'decision.routed'>).data.reservedUsd : 0), 0);
      if (usd > 0 && !(await ledger.hold(runId, request.data.decisionId, usd, day))) continue;
      for (const input of outcome.events) await this.log.append(createEvent({ ...input, occurredAt: new Date(request.occurredAt) }));
      return;
    }
    throw new InfrastructureError(`decision ${request.data.decisionId}: the budget kept moving under ${HOLD_ATTEMPTS} attempts to hold it`);
  }
}
