import 'reflect-metadata';
import { modelBackends, simLatencyFromEnv, startService, stopOnSignals, workloadPathFromEnv } from '@loopwright/service';
import { ExecutorModule } from './executor.module';
import type { ExecutorOptions } from './executor.service';

export function executorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutorOptions {
  const backends = modelBackends({
    keyVariable: 'ANTHROPIC_API_KEY',
    apiKey: env['ANTHROPIC_API_KEY'],
    baseURL: env['ANTHROPIC_BASE_URL'],
    model: env['LOOP_EXECUTOR_MODEL'] ?? 'claude-sonnet-4-6',
    workloadPath: workloadPathFromEnv(env),
    simLatencyMs: simLatencyFromEnv(env),
  });
  return {
    policy: { draftEstimateUsd: Number(env['LOOP_DRAFT_ESTIMATE_USD'] ?? 0.25) },
    commandTimeoutMs: Number(env['LOOP_COMMAND_TIMEOUT_MS'] ?? 60_000),
    provider: (goal) => backends(goal),
  };
}

export function startExecutor(options: { port?: number; executor?: ExecutorOptions } = {}) {
  return startService({
    name: 'executor',
    producer: 'executor',
    imports: [ExecutorModule.forRoot(options.executor ?? executorOptionsFromEnv())],
    port: options.port ?? Number(process.env['PORT'] ?? 0),
  });
}

if (require.main === module) {
  startExecutor()
    .then((service) => {
      stopOnSignals(service);
      console.log(`executor listening on ${service.url}`);
    })
    .catch((error) => {
      console.error(`executor failed to start: ${(error as Error).message}`);
      process.exit(1);
    });
}
