import { Controller, Get, Header, HttpException, HttpStatus, Inject } from '@nestjs/common';
import type { EventLog } from '@loopwright/eventlog';
import { EVENT_LOG, LOOP_METRICS, SERVICE_NAME } from './tokens';
import type { LoopMetrics } from './metrics';

@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  @Get('health')
  async health(): Promise<{ service: string; status: 'ok'; stream: string; lastSeq: number }> {
    if (this.log.nc.isClosed()) throw new HttpException({ service: this.service, status: 'down', reason: 'NATS connection closed' }, HttpStatus.SERVICE_UNAVAILABLE);
    try {
      const info = await this.log.jsm.streams.info(this.log.config.streamName);
      return { service: this.service, status: 'ok', stream: info.config.name, lastSeq: info.state.last_seq };
    } catch (error) {
      throw new HttpException({ service: this.service, status: 'down', reason: (error as Error).message }, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metricsText(): Promise<string> {
    await this.refreshConsumerLag();
    return this.metrics.registry.metrics();
  }

  private async refreshConsumerLag(): Promise<void> {
    for await (const consumer of this.log.jsm.consumers.list(this.log.config.streamName)) {
      if (consumer.name.startsWith(`${this.service}-`)) this.metrics.consumerPending.set({ consumer: consumer.name }, consumer.num_pending);
    }
  }
}
