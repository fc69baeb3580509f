import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DecisionOutcomeTier, ROLES } from '@loopwright/events';

/** The kinds of decision each requester makes: its decision keys' third part. */
const DECISION_KINDS = { executor: ['draft', 'revise'], grader: ['gate', 'dimension'] } as const;

/** The metric names of the architecture, one registry per process. */
export class LoopMetrics {
  readonly registry = new Registry();

  readonly decisions = new Counter({
    name: 'loopwright_decisions_total',
    help: 'Decisions completed, by tier',
    labelNames: ['tier', 'requester', 'role', 'kind'] as const,
    registers: [this.registry],
  });

  readonly decisionCost = new Counter({
    name: 'loopwright_decision_cost_usd_total',
    help: 'Cost of completed decisions in USD, by tier',
    labelNames: ['tier', 'requester', 'role', 'kind'] as const,
    registers: [this.registry],
  });

  readonly grades = new Counter({
    name: 'loopwright_grades_total',
    help: 'Grades recorded, by role, rubric and whether they passed',
    labelNames: ['role', 'rubric', 'passed'] as const,
    registers: [this.registry],
  });

  readonly innerLoopIterations = new Histogram({
    name: 'loopwright_inner_loop_iterations',
    help: 'Iterations a task took before it passed or went to a human',
    buckets: [1, 2, 3, 4, 5, 8],
    registers: [this.registry],
  });

  readonly rules = new Gauge({
    name: 'loopwright_rules',
    help: 'Rules by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly consumerPending = new Gauge({
    name: 'loopwright_consumer_pending',
    help: 'Messages not yet delivered to a durable consumer',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly eventAppendSeconds = new Histogram({
    name: 'loopwright_event_append_seconds',
    help: 'Time from publish to the stream ack',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });

  readonly corrections = new Gauge({
    name: 'loopwright_corrections',
    help: 'Occurrences of recurring corrections mined from grades, by decision key',
    labelNames: ['key'] as const,
    registers: [this.registry],
  });

  readonly projectorLag = new Gauge({
    name: 'loopwright_projector_lag',
    help: 'Events in the log that the projections have not applied yet',
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Exports every decision series at 0 before the first decision: Prometheus cannot see the first
   * increase of a series it has never sampled, so a tier's first decision would be missing from rates.
   */
  zeroDecisionSeries(): void {
    for (const [requester, kinds] of Object.entries(DECISION_KINDS)) {
      for (const role of ROLES) {
        for (const kind of kinds) {
          for (const tier of DecisionOutcomeTier.options) {
            this.decisions.inc({ tier, requester, role, kind }, 0);
            this.decisionCost.inc({ tier, requester, role, kind }, 0);
          }
        }
      }
    }
  }
}
