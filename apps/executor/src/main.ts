import 'reflect-metadata';
import { EventLog, logConfigFromEnv } from '@loopwright/eventlog';
import { predict } from '@loopwright/mining';
import {
  checkModelEnv, modelBackends, residentModelLoader, simLatencyFromEnv, startService, stopOnSignals, workloadPathFromEnv,
} from '@loopwright/service';
import { ExecutorModule } from './executor.module';
import type { ExecutorOptions } from './executor.service';

/**
 * The executor's settings. Its models come from LOOPWRIGHT_MODEL_* (the frontier, on its own key
 * ANTHROPIC_API_KEY) and LOOPWRIGHT_RESIDENT_* (the resident that drafts once drafting goes down a
 * tier); resident editors are loaded from the log.
 */
export function executorOptionsFromEnv(log: EventLog, env: NodeJS.ProcessEnv = process.env): ExecutorOptions {
  checkModelEnv(env);
  const backends = modelBackends({
    env,
    keyVariable: 'ANTHROPIC_API_KEY',
    defaultModel: 'claude-sonnet-4-6',
    workloadPath: workloadPathFromEnv(env),
    simLatencyMs: simLatencyFromEnv(env),
  });
  const residents = residentModelLoader(log);
  return {
    policy: {
      draftEstimateUsd: Number(env['LOOP_DRAFT_ESTIMATE_USD'] ?? 0.25),
      editEstimateUsd: Number(env['LOOP_EDIT_ESTIMATE_USD'] ?? 0.05),
    },
    commandTimeoutMs: Number(env['LOOP_COMMAND_TIMEOUT_MS'] ?? 60_000),
    provider: (goal, tier) => backends(goal, tier),
    residentEditor: async (modelId) => {
      const model = await residents(modelId);
      return model && { predict: (features, texts) => predict(model, features, texts) };
    },
  };
}

export async function startExecutor(options: { port?: number; executor?: ExecutorOptions } = {}) {
  const log = await EventLog.open(logConfigFromEnv('executor'));
  return startService({
    name: 'executor',
    producer: 'executor',
    log,
    imports: [ExecutorModule.forRoot(options.executor ?? executorOptionsFromEnv(log))],
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
