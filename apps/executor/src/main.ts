import 'reflect-metadata';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { IllegalStateError } from '@loopwright/core';
import { loadRoleBoundaries } from '@loopwright/rubrics';
import { EventLog, logConfigFromEnv } from '@loopwright/eventlog';
import { predict } from '@loopwright/mining';
import {
  checkModelEnv, modelBackends, residentModelLoader, simLatencyFromEnv, concurrencyFromEnv, startService, stopOnSignals, workloadPathFromEnv,
} from '@loopwright/service';
import { agentSdkBackend } from './backends/agent-sdk/agent-sdk-backend';
import { managedBackend } from './backends/managed/managed-backend';
import { localBackend, simBackend } from './backends/tool-loop-backends';
import { ExecutorModule } from './executor.module';
import { DEFAULT_EXECUTOR_CONCURRENCY, type ExecutorOptions } from './executor.service';

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
  const apiKey = env['ANTHROPIC_API_KEY'];
  const baseURL = env['LOOPWRIGHT_MODEL_BASE_URL'] || env['ANTHROPIC_BASE_URL'];
  const model = env['LOOPWRIGHT_MODEL_ID'] ?? 'claude-sonnet-4-6';
  const sessionTimeLimitMs = Number(env['LOOP_SESSION_TIME_LIMIT_MS'] ?? 30 * 60_000);
  let client: Anthropic | undefined;
  const managedClient = () => {
    if (!apiKey) throw new IllegalStateError('the managed backend needs ANTHROPIC_API_KEY: set it, or submit the goal with backend "sim"');
    client ??= new Anthropic({ apiKey, baseURL, maxRetries: Number(env['LOOP_MANAGED_MAX_RETRIES'] ?? 2) });
    return client;
  };
  const provider = (goal: Parameters<typeof backends>[0], tier: Parameters<typeof backends>[1]) => backends(goal, tier);
  return {
    policy: {
      draftEstimateUsd: Number(env['LOOP_DRAFT_ESTIMATE_USD'] ?? 0.25),
      editEstimateUsd: Number(env['LOOP_EDIT_ESTIMATE_USD'] ?? 0.05),
      boundaries: loadRoleBoundaries(env['LOOP_RUBRICS_DIR'] || undefined),
    },
    commandTimeoutMs: Number(env['LOOP_COMMAND_TIMEOUT_MS'] ?? 60_000),
    turnEstimateUsd: Number(env['LOOP_AGENT_TURN_ESTIMATE_USD'] ?? 0.1),
    provider,
    backends: {
      local: localBackend(provider),
      sim: simBackend(provider),
      managed: managedBackend({
        client: managedClient,
        model,
        sessionTimeLimitMs,
        environmentId: env['LOOP_MANAGED_ENVIRONMENT_ID'] || undefined,
        outputLookups: env['LOOP_MANAGED_OUTPUT_LOOKUPS'] ? Number(env['LOOP_MANAGED_OUTPUT_LOOKUPS']) : undefined,
        outputLookupDelayMs: env['LOOP_MANAGED_OUTPUT_LOOKUP_MS'] ? Number(env['LOOP_MANAGED_OUTPUT_LOOKUP_MS']) : undefined,
        reconnectDelayMs: env['LOOP_MANAGED_RECONNECT_MS'] ? Number(env['LOOP_MANAGED_RECONNECT_MS']) : undefined,
      }),
      'claude-agent-sdk': agentSdkBackend({
        apiKey,
        baseURL,
        model,
        sessionTimeLimitMs,
        stateDir: env['LOOP_AGENT_SDK_STATE_DIR'] || path.join(tmpdir(), 'loopwright-agent-sdk'),
        executablePath: env['LOOP_CLAUDE_CODE_PATH'] || undefined,
      }),
    },
    residentEditor: async (modelId) => {
      const model = await residents(modelId);
      return model && { predict: (features, texts) => predict(model, features, texts) };
    },
    concurrency: concurrencyFromEnv('LOOP_EXECUTOR_CONCURRENCY', DEFAULT_EXECUTOR_CONCURRENCY, env),
  };
}

/**
 * Routed decisions taken at once: most are the grader's, which the executor skips, and they must not
 * wait behind a run's agent session; the service itself bounds what it handles at once.
 */
const ROUTED_AT_ONCE = 8;

export async function startExecutor(options: { port?: number; executor?: ExecutorOptions } = {}) {
  const log = await EventLog.open(logConfigFromEnv('executor'));
  const executor = options.executor ?? executorOptionsFromEnv(log);
  // the consumers and the service's own limit follow the one setting
  const concurrency = executor.concurrency ?? DEFAULT_EXECUTOR_CONCURRENCY;
  return startService({
    name: 'executor',
    producer: 'executor',
    log,
    imports: [ExecutorModule.forRoot(executor)],
    port: options.port ?? Number(process.env['PORT'] ?? 0),
    transport: {
      defaults: { concurrency },
      perType: { 'decision.routed': { concurrency: ROUTED_AT_ONCE * concurrency, orderedPerAggregate: false } },
    },
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
