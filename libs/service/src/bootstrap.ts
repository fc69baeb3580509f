import { DynamicModule, INestApplication, Module, ModuleMetadata, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroservice } from '@nestjs/microservices';
import { Producer } from '@loopwright/events';
import { EventLog, logConfigFromEnv } from '@loopwright/eventlog';
import { HandlerErrorsFilter, JetStreamTransport, JetStreamTransportOptions } from '@loopwright/eventlog/nest';
import { timeAppends } from './append-timing';
import { HealthController } from './health.controller';
import { LoopMetrics } from './metrics';
import { EVENT_LOG, HEALTH_CHECKS, LOOP_METRICS, SERVICE_NAME } from './tokens';

export interface ServiceOptions {
  /** executor, grader, router, miner: names its durable consumers and its metrics. */
  name: string;
  producer: Producer;
  /** The service's own module: its controllers hold the `@EventPattern` handlers. */
  imports: ModuleMetadata['imports'];
  port?: number;
  /** The address HTTP listens on; 127.0.0.1 unless the service must be reachable from elsewhere (a container). */
  host?: string;
  log?: EventLog;
  transport?: Pick<JetStreamTransportOptions, 'defaults' | 'perType'>;
}

export interface RunningService {
  app: INestApplication;
  log: EventLog;
  url: string;
  stop(): Promise<void>;
}

/** The module every service shares: the log, metrics, /health and /metrics. */
export function sharedModule(name: string, log: EventLog, metrics: LoopMetrics): DynamicModule {
  @Module({})
  class SharedModule {}
  return {
    module: SharedModule,
    global: true,
    controllers: [HealthController],
    providers: [
      { provide: EVENT_LOG, useValue: log },
      { provide: LOOP_METRICS, useValue: metrics },
      { provide: SERVICE_NAME, useValue: name },
      { provide: HEALTH_CHECKS, useValue: [] },
    ],
    exports: [EVENT_LOG, LOOP_METRICS, SERVICE_NAME, HEALTH_CHECKS],
  };
}

/** Starts a service: HTTP (health, metrics) and the JetStream transport for its event handlers. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const log = options.log ?? (await EventLog.open(logConfigFromEnv(options.producer)));
  const metrics = new LoopMetrics(options.name);
  timeAppends(log, metrics.eventAppendSeconds);
  @Module({ imports: [sharedModule(options.name, log, metrics), ...(options.imports ?? [])] })
  class RootModule {}
  const app = await NestFactory.create(RootModule as Type, { logger: ['error', 'warn'] });
  const ackWaitMs = Number(process.env['LOOP_ACK_WAIT_MS']) || undefined;
  const transport = { ...options.transport, defaults: { ackWaitMs, ...options.transport?.defaults } };
  // The handlers get a config of their own with HandlerErrorsFilter, registered as Nest registers a
  // connected microservice itself, once the filter is in place (the listeners copy the filters).
  const handlers = app.connectMicroservice({ strategy: new JetStreamTransport({ service: options.name, log, ...transport }) }, { deferInitialization: true }) as NestMicroservice;
  handlers.useGlobalFilters(new HandlerErrorsFilter());
  handlers.registerListeners();
  handlers.setIsInitialized(true);
  handlers.setIsInitHookCalled(true);
  await app.startAllMicroservices();
  // HOST=0.0.0.0 in containers, where probes and Prometheus connect from outside; loopback otherwise.
  await app.listen(options.port ?? 0, options.host ?? (process.env['HOST'] || '127.0.0.1'));
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('[::]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    if (!options.log) await log.close();
  };
  return { app, log, url, stop };
}

/**
 * How many events a replica handles at once, from its variable (e.g. LOOP_EXECUTOR_CONCURRENCY),
 * else `fallback` (4): several runs side by side.
 */
export function concurrencyFromEnv(variable: string, fallback = 4, env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env[variable] || fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${variable} must be a whole number of at least 1, not "${env[variable]}"`);
  return value;
}

/** Stops the service cleanly on SIGINT / SIGTERM. */
export function stopOnSignals(service: RunningService): void {
  const handler = () => {
    void service.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
