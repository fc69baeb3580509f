import 'reflect-metadata';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { IllegalStateError } from '@loopwright/core';
import { modelBackends, simLatencyFromEnv, startService, stopOnSignals, workloadPathFromEnv } from '@loopwright/service';
import { agentSdkBackend } from './backends/agent-sdk/agent-sdk-backend';
import { managedBackend } from './backends/managed/managed-backend';
import { localBackend, simBackend } from './backends/tool-loop-backends';
import { ExecutorModule } from './executor.module';
import type { ExecutorOptions } from './executor.service';

export function executorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutorOptions {
  const apiKey = env['ANTHROPIC_API_KEY'];
  const baseURL = env['ANTHROPIC_BASE_URL'];
  const model = env['LOOP_EXECUTOR_MODEL'] ?? 'claude-sonnet-4-6';
  const sessionTimeLimitMs = Number(env['LOOP_SESSION_TIME_LIMIT_MS'] ?? 30 * 60_000);
  const models = modelBackends({
    keyVariable: 'ANTHROPIC_API_KEY',
    apiKey,
    baseURL,
    model,
    workloadPath: workloadPathFromEnv(env),
    simLatencyMs: simLatencyFromEnv(env),
  });
  let client: Anthropic | undefined;
  const managedClient = () => {
    if (!apiKey) throw new IllegalStateError('the managed backend needs ANTHROPIC_API_KEY: set it, or submit the goal with backend "sim"');
    client ??= new Anthropic({ apiKey, baseURL, maxRetries: Number(env['LOOP_MANAGED_MAX_RETRIES'] ?? 2) });
    return client;
  };
  return {
    policy: { draftEstimateUsd: Number(env['LOOP_DRAFT_ESTIMATE_USD'] ?? 0.25) },
    commandTimeoutMs: Number(env['LOOP_COMMAND_TIMEOUT_MS'] ?? 60_000),
    backends: {
      local: localBackend((goal) => models(goal)),
      sim: simBackend((goal) => models(goal)),
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
