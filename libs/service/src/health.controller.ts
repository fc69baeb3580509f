import { Controller, Get, Header, HttpException, HttpStatus, Inject, Logger } from '@nestjs/common';
import type { EventLog } from '@loopwright/eventlog';
import { EVENT_LOG, HEALTH_CHECKS, HealthCheck, LOOP_METRICS, SERVICE_NAME } from './tokens';
import type { LoopMetrics } from './metrics';
import { StallWatch, stallMsFromEnv } from './stall-watch';

/**
 * /health (the Kubernetes probes' target) is ok only when the log answers, none of the service's
 * durable consumers sits behind undelivered messages without moving or holding work for longer
 * than LOOP_PROJECTION_STALL_MS, and the service's own checks (the miner's projection reader) pass.
 */
@Controller()
export class HealthController {
  private readonly watches = new Map<string, StallWatch>();
  private readonly stallMs = stallMsFromEnv();
  private readonly logger = new Logger(HealthController.name);

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
  ) {}

  @Get('health')
  async health(): Promise<{ service: string; status: 'ok'; stream: string; lastSeq: number }> {
    const down = (reason: string) => new HttpException({ service: this.service, status: 'down', reason }, HttpStatus.SERVICE_UNAVAILABLE);
    if (this.log.nc.isClosed()) throw down('NATS connection closed');
    let problems: string[];
    let info;
    try {
      info = await this.log.jsm.streams.info(this.log.config.streamName);
      problems = [...(await this.stalledConsumers()), ...(await Promise.all(this.checks.map((check) => check())))].filter(
        (problem): problem is string => problem !== undefined,
      );
    } catch (error) {
      throw down((error as Error).message);
    }
    if (problems.length > 0) throw down(problems.join('; '));
    return { service: this.service, status: 'ok', stream: info.config.name, lastSeq: info.state.last_seq };
  }

  /** The service's durables that have undelivered messages, nothing in hand, and have not moved for too long. */
  private async stalledConsumers(): Promise<(string | undefined)[]> {
    const problems: (string | undefined)[] = [];
    for await (const consumer of this.log.jsm.consumers.list(this.log.config.streamName)) {
      if (!consumer.name.startsWith(`${this.service}-`)) continue;
      const watch = this.watches.get(consumer.name) ?? new StallWatch(this.stallMs);
      this.watches.set(consumer.name, watch);
      const position = consumer.delivered.stream_seq;
      problems.push(watch.problem(`consumer ${consumer.name}`, { position, head: position + consumer.num_pending, busy: consumer.num_ack_pending > 0 }, Date.now()));
    }
    return problems;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metricsText(): Promise<string> {
    // The consumers' lag is read from JetStream on each scrape; when that read fails (the server
    // slow or restarting), the scrape still gets every other metric, with the lag as last read.
    await this.refreshConsumerLag().catch((error: Error) => this.logger.warn(`consumer lag not refreshed for /metrics: ${error.message}`));
    return this.metrics.registry.metrics();
  }

  private async refreshConsumerLag(): Promise<void> {
    for await (const consumer of this.log.jsm.consumers.list(this.log.config.streamName)) {
      if (consumer.name.startsWith(`${this.service}-`)) this.metrics.consumerPending.set({ consumer: consumer.name }, consumer.num_pending);
    }
  }
}
