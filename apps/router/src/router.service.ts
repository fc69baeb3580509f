import { Inject, Injectable } from '@nestjs/common';
import { InfrastructureError } from '@loopwright/core';
import { createEvent, EventOf, LoopEvent, subjectFilters } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { EVENT_LOG, LOOP_METRICS, LoopMetrics } from '@loopwright/service';
import { routeDecision } from './domain/route-decision';
import { evolveRouter, initialRouterState, RouterState } from './domain/router-state';
import { ROUTER_CONFIG } from './router.tokens';
import type { RouterConfig } from './router.config';

/** Holds the router's folded state and carries out the routing policy's intents. */
@Injectable()
export class RouterService {
  private state: RouterState;
  private ready: Promise<void>;

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {
    this.state = initialRouterState(config.dailyBudgetUsd);
    this.metrics.zeroDecisionSeries();
    this.ready = this.rebuild();
  }

  /** Folds the router's state from the log before handling new events. */
  private async rebuild(): Promise<void> {
    const root = this.log.config.subjectRoot;
    for (const filter of [subjectFilters.type('goal.submitted', root), `${root}.run.*.*.decision.>`, `${root}.rule.>`]) {
      for await (const stored of this.log.replay({ filter })) if (stored.event) evolveRouter(this.state, stored.event);
    }
  }

  async apply(event: LoopEvent): Promise<void> {
    await this.ready;
    evolveRouter(this.state, event);
    if (event.type === 'decision.completed' && !event.data.shadow) {
      const [requester, role, kind] = event.data.key.split(':');
      const labels = { tier: event.data.tier, requester, role, kind };
      this.metrics.decisions.inc(labels);
      this.metrics.decisionCost.inc(labels, event.data.costUsd);
    }
  }

  async route(request: EventOf<'decision.requested'>): Promise<void> {
    await this.ready;
    const outcome = routeDecision(this.state, request, { frontierModel: this.config.frontierModel });
    if (outcome.kind === 'wait') throw new InfrastructureError(outcome.reason);
    for (const input of outcome.events) {
      const event = createEvent({ ...input, occurredAt: new Date(request.occurredAt) });
      await this.log.append(event);
      evolveRouter(this.state, event);
    }
  }

  snapshot(): Readonly<RouterState> {
    return this.state;
  }
}
