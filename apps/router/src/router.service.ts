import { Inject, Injectable } from '@nestjs/common';
import { BatchOutcome, InfrastructureError, KeyedBatcher } from '@loopwright/core';
import { createEvent, EventOf, LoopEvent, NewEvent, spendKeyOf } from '@loopwright/events';
import { BudgetAccount, BudgetLedger, DayAccount, reservedMicros, toUsd, type EventLog } from '@loopwright/eventlog';
import { EVENT_LOG, LOOP_METRICS, LoopMetrics } from '@loopwright/service';
import { decisionsOpenAtEnd } from './domain/open-decisions';
import { routeDecision } from './domain/route-decision';
import { BudgetLedger as LedgerView, dayOf, evolveRouter, initialRouterState, RouterState } from './domain/router-state';
import { ROUTER_CONFIG } from './router.tokens';
import type { RouterConfig } from './router.config';

/** How often a route is decided again when another router took the money between the read and the hold. */
const HOLD_ATTEMPTS = 10;

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

type Requested = EventOf<'decision.requested'>;
type Completed = EventOf<'decision.completed'>;

/**
 * Carries out the routing policy's intents. Rules are folded from the log into memory, caught up
 * before each decision (a durable hands each rule event to one replica only, so every replica reads
 * them from the log itself); budgets live in the shared ledger (a KV bucket), read before each
 * decision and held by compare-and-set, so routers running side by side never hold more than a budget has.
 * A run's decisions that arrive together (a work's rubric items) are routed together: one read of
 * the budgets, one hold, their events appended at once; their completions are settled together too.
 */
@Injectable()
export class RouterService {
  private readonly rules: RouterState;
  private readonly ledger: Promise<BudgetLedger>;
  /** The last rule event folded into `rules`. */
  private rulesSeq = 0;
  private rulesCaughtUp: Promise<void> = Promise.resolve();
  private readonly routing = new KeyedBatcher<Requested>((runId, requests) => this.routeTogether(runId, requests));
  private readonly settling = new KeyedBatcher<Completed>((runId, completions) => this.settleTogether(runId, completions));

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {
    this.rules = initialRouterState(config.dailyBudgetUsd);
    this.metrics.zeroDecisionSeries();
    this.ledger = log.budgets(config.dailyBudgetUsd);
  }

  /**
   * Folds the rule events appended since the last catch-up, one stream read each (rule events are
   * few); one read that finds nothing when there are none.
   */
  private catchUpRules(): Promise<void> {
    this.rulesCaughtUp = this.rulesCaughtUp.catch(() => undefined).then(async () => {
      const filter = `${this.log.config.subjectRoot}.rule.>`;
      for (let stored = await this.log.nextMatching(filter, this.rulesSeq); stored; stored = await this.log.nextMatching(filter, this.rulesSeq)) {
        if (stored.event) evolveRouter(this.rules, stored.event);
        this.rulesSeq = stored.seq;
      }
    });
    return this.rulesCaughtUp;
  }

  /** A goal's opening, into the shared ledger. */
  async openGoal(event: EventOf<'goal.submitted'>): Promise<void> {
    const ledger = await this.ledger;
    await ledger.openGoal(event.aggregateId, event.data.budgetUsd, event.data.labels['shadowAll'] === 'true');
  }

  /** A decision's cost, settled in the shared ledger (with the run's other completions waiting). */
  settle(event: Completed): Promise<void> {
    return this.settling.add(event.aggregateId, event);
  }

  private async settleTogether(runId: string, completions: Completed[]): Promise<BatchOutcome> {
    const ledger = await this.ledger;
    // a cost nothing was held for counts against today, as a routing does (see routeTogether)
    const today = dayOf(new Date().toISOString());
    await ledger.settleAll(runId, completions.map(({ data }) => {
      const key = spendKeyOf(data.decisionId, data.shadow);
      return { settlementId: key, decisionId: key, costUsd: data.costUsd, day: today };
    }));
    for (const { data } of completions) {
      if (data.shadow) continue;
      const [requester, role, kind] = data.key.split(':');
      const labels = { tier: data.tier, requester, role, kind };
      this.metrics.decisions.inc(labels);
      this.metrics.decisionCost.inc(labels, data.costUsd);
    }
    return completions.map(() => undefined);
  }

  /**
   * A run's end: the decisions it left open never complete (nothing acts on their routings), so
   * their holds are released, and one of them routed later holds nothing.
   */
  async endRun(event: EventOf<'run.ended'>): Promise<void> {
    const ledger = await this.ledger;
    await ledger.releaseAll(event.aggregateId, decisionsOpenAtEnd(await this.log.readRun(event.aggregateId), event.id));
  }

  /** A goal's account; a goal from before the ledger existed is opened from its goal.submitted. */
  private async goalAccount(ledger: BudgetLedger, runId: string): Promise<BudgetAccount | undefined> {
    const account = await ledger.goal(runId);
    if (account) return account;
    const filter = `${this.log.config.subjectRoot}.run.${runId}.*.goal.submitted`;
    for (let stored = await this.log.nextMatching(filter, 0); stored; stored = await this.log.nextMatching(filter, stored.seq)) {
      if (stored.event?.type !== 'goal.submitted') continue;
      await ledger.openGoal(runId, stored.event.data.budgetUsd, stored.event.data.labels['shadowAll'] === 'true');
      return ledger.goal(runId);
    }
    return undefined;
  }

  /** Routes a decision (with the run's other requests waiting). */
  route(request: Requested): Promise<void> {
    return this.routing.add(request.aggregateId, request);
  }

  private async routeTogether(runId: string, requests: Requested[]): Promise<BatchOutcome> {
    const ledger = await this.ledger;
    await this.catchUpRules();
    // The day a decision counts against is the router's when it routes it, not the one its request
    // claims: a request dated another day (a skewed or lying clock) would be held against a day with
    // nothing spent, past the daily limit. A redelivered request keeps the day of its first hold.
    const now = new Date();
    const day = dayOf(now.toISOString());
    for (let attempt = 0; attempt < HOLD_ATTEMPTS; attempt++) {
      const [account, dayAccount] = await Promise.all([this.goalAccount(ledger, runId), ledger.day(day)]);
      // A decision routed again (redelivered after its hold) must not find its own hold in the way.
      const own = (r: Requested) => account?.open[r.data.decisionId]?.micros ?? 0;
      const ownHeld = requests.reduce((sum, r) => sum + own(r), 0);
      const goal = account ? goalView(account, ownHeld) : undefined;
      const dayViews = new Map([[day, dayView(dayAccount, ownHeld)]]);
      const state: RouterState = { ...this.rules, goals: new Map(goal ? [[runId, goal]] : []), days: dayViews };
      const outcomes: BatchOutcome = [];
      const events: LoopEvent[] = [];
      const holds: { decisionId: string; usd: number; day: string }[] = [];
      for (const request of requests) {
        const outcome = routeDecision(state, request, { frontierModel: this.config.frontierModel }, day);
        if (outcome.kind === 'wait') {
          outcomes.push(new InfrastructureError(outcome.reason));
          continue;
        }
        const usd = outcome.events.reduce((sum, e) => sum + (e.type === 'decision.routed' ? (e as NewEvent<'decision.routed'>).data.reservedUsd : 0), 0);
        if (usd > 0) {
          holds.push({ decisionId: request.data.decisionId, usd, day });
          // the next decision of the batch is routed against what this one holds
          goal!.reservedUsd += usd;
          dayViews.get(day)!.reservedUsd += usd;
        }
        events.push(...outcome.events.map((input) => createEvent({ ...input, occurredAt: now }) as LoopEvent));
        outcomes.push(undefined);
      }
      if (holds.length > 0 && !(await ledger.holdAll(runId, holds))) continue;
      await this.log.appendMany(events);
      return outcomes;
    }
    throw new InfrastructureError(`run ${runId}: the budget kept moving under ${HOLD_ATTEMPTS} attempts to hold ${requests.length} decision(s)`);
  }
}
