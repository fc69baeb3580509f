import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { EventOf } from '@loopwright/events';
import { KvLease, processHolderId, runUnderLease, type EventLog } from '@loopwright/eventlog';
import { decideRule } from '@loopwright/mining';
import { databaseConfigFromEnv, openDatabase, PROJECTION_MIGRATIONS } from '@loopwright/projections';
import { loadRubrics, Rubric } from '@loopwright/rubrics';
import {
  appendRuleIntents, EVENT_LOG, HEALTH_CHECKS, HealthCheck, LOOP_METRICS, LoopMetrics, readRuleRecords, residentModelLoader,
} from '@loopwright/service';
import { publishAuditCheckpoint } from './audit-checkpoints';
import type { MinerConfig } from './miner.config';
import { MINER_CONFIG } from './miner.tokens';
import { runOuterLoopPass } from './outer-loop-pass';
import { recordPass } from './pass-record';
import { RunningProjections, startProjections } from './projections/start-projections';

const RULE_GAUGE_STATES = ['proposed', 'validated', 'rejected', 'promoted', 'demoted'] as const;

/** The lease a pass runs under: replicas of the miner take turns, never two passes at once. */
export const PASS_LEASE = 'miner-pass';

/** The outer loop: projections, audit checkpoints, and a pass over the history on a timer, under the pass lease, each recorded in the log. */
@Injectable()
export class MinerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private db?: DataSource;
  private projections?: RunningProjections;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly rubrics: Rubric[] = loadRubrics(process.env['LOOP_RUBRICS_DIR'] || undefined);
  private passing: Promise<unknown> = Promise.resolve();
  private lease?: KvLease;

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(MINER_CONFIG) private readonly config: MinerConfig,
    @Inject(HEALTH_CHECKS) checks: HealthCheck[],
  ) {
    checks.push(() => this.projections?.problem());
  }

  async onApplicationBootstrap(): Promise<void> {
    this.lease = await this.log.lease(PASS_LEASE, processHolderId(), this.config.lease.ttlMs);
    this.db = await openDatabase(databaseConfigFromEnv(), PROJECTION_MIGRATIONS);
    this.projections = await startProjections(this.log, this.db, { onError: (e) => console.error(`projection failed, retrying: ${(e as Error).message}`) });
    this.every(this.config.passIntervalMs, () => this.pass());
    this.every(this.config.auditIntervalMs, async () => {
      await publishAuditCheckpoint(this.log, this.db!);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.passing.catch(() => undefined);
    await this.projections?.stop();
    await this.db?.destroy();
  }

  /** One outer-loop pass, never two at once in this process, and only while holding the pass lease (none while another replica holds it). */
  pass(): Promise<unknown> {
    this.passing = this.passing.then(async () => {
      const run = await runUnderLease(this.lease!, this.config.lease, async (signal) => {
        const startedAt = Date.now();
        const readThroughSeq = this.projections!.position();
        try {
          const summary = await runOuterLoopPass({
            log: this.log, db: this.db!, rubrics: this.rubrics, config: this.config, residentModel: residentModelLoader(this.log), signal,
          });
          if (this.config.verbose) for (const { key, outcome } of summary.outcomes) console.error(`miner: ${key}: ${outcome}`);
          signal.throwIfAborted();
          await recordPass(this.log, { readThroughSeq, appended: summary.appendedTypes, durationMs: Date.now() - startedAt });
          return summary;
        } finally {
          if (this.config.verbose) console.error(`miner: pass by ${this.lease!.holder} from ${startedAt} to ${Date.now()}`);
        }
      });
      if (run.ran && run.lost) console.error(`miner: the pass lease was lost while the pass ran (not renewed within ${this.config.lease.ttlMs} ms)`);
      await this.refreshGauges();
      return run.ran ? run.value : undefined;
    }).catch((error) => console.error(`outer-loop pass failed: ${(error as Error).message}`));
    return this.passing;
  }

  private async refreshGauges(): Promise<void> {
    const states: { state: string; n: number }[] = await this.db!.query('SELECT state, count(*)::int AS n FROM rules GROUP BY state');
    // every state is reported, at 0 while no rule is in it, so that a dashboard sees the first promotion as a rise
    for (const state of RULE_GAUGE_STATES) this.metrics.rules.set({ state }, 0);
    for (const { state, n } of states) this.metrics.rules.set({ state }, n);
    const corrections: { key: string; n: number }[] = await this.db!.query('SELECT decision_key AS key, sum(count)::int AS n FROM corrections GROUP BY decision_key');
    for (const { key, n } of corrections) this.metrics.corrections.set({ key }, n);
    const { state } = await this.log.jsm.streams.info(this.log.config.streamName);
    this.metrics.projectorLag.set(Math.max(0, state.last_seq - (this.projections?.position() ?? 0)));
  }

  /** A person approved a rule: promote it now if it is ready; otherwise a later pass does. */
  async onApproved(event: EventOf<'rule.approved'>): Promise<void> {
    const record = (await readRuleRecords(this.log, event.data.ruleId)).get(event.data.ruleId);
    if (!record) return;
    const decision = decideRule(record.state, { type: 'promote' }, this.config.lifecycle);
    if (decision.kind === 'append') await appendRuleIntents(this.log, decision.events, 'miner');
  }

  private every(ms: number, task: () => Promise<unknown>): void {
    let running = false;
    this.timers.push(
      setInterval(() => {
        if (running) return;
        running = true;
        task()
          .catch((error) => console.error((error as Error).message))
          .finally(() => (running = false));
      }, ms),
    );
  }
}
