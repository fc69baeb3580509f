import 'reflect-metadata';
import { loadRoleBoundaries, loadRubrics } from '@loopwright/rubrics';
import { EventLog, logConfigFromEnv } from '@loopwright/eventlog';
import { predict } from '@loopwright/mining';
import { checkModelEnv, modelBackends, residentModelLoader, simLatencyFromEnv, concurrencyFromEnv, startService, stopOnSignals, workloadPathFromEnv } from '@loopwright/service';
import { GraderModule } from './grader.module';
import type { GraderOptions } from './grader.service';

/** The grader's settings. Its model key is its own (GRADER_ANTHROPIC_API_KEY), never the executor's; the model itself comes from LOOPWRIGHT_MODEL_*. */
export function graderOptionsFromEnv(log: EventLog, env: NodeJS.ProcessEnv = process.env): GraderOptions {
  checkModelEnv(env);
  const residents = residentModelLoader(log);
  const models = modelBackends({
    env,
    keyVariable: 'GRADER_ANTHROPIC_API_KEY',
    defaultModel: 'claude-sonnet-4-6',
    workloadPath: workloadPathFromEnv(env),
    simLatencyMs: simLatencyFromEnv(env),
  });
  return {
    rubrics: loadRubrics(env['LOOP_RUBRICS_DIR'] || undefined),
    boundaries: loadRoleBoundaries(env['LOOP_RUBRICS_DIR'] || undefined),
    frontier: (goal) => models(goal, 'frontier'),
    resident: async (modelId) => {
      const model = await residents(modelId);
      return model && { predict: (features, texts) => predict(model, features, texts) };
    },
    commandTimeoutMs: Number(env['LOOP_COMMAND_TIMEOUT_MS'] ?? 60_000),
    judgeEstimateUsd: Number(env['LOOP_JUDGE_ESTIMATE_USD'] ?? 0.01),
  };
}

/** Routed decisions taken at once, per run handled at once (a work asks about 20). */
const ROUTED_AT_ONCE = 8;

export async function startGrader(options: { port?: number; grader?: GraderOptions } = {}) {
  const concurrency = concurrencyFromEnv('LOOP_GRADER_CONCURRENCY');
  const log = await EventLog.open(logConfigFromEnv('grader'));
  return startService({
    name: 'grader',
    producer: 'grader',
    log,
    imports: [GraderModule.forRoot(options.grader ?? graderOptionsFromEnv(log))],
    port: options.port ?? Number(process.env['PORT'] ?? 0),
    transport: {
      defaults: { concurrency },
      // a work's routed decisions are independent: many at once, gathered per run (see GraderService.handleRouted)
      perType: { 'decision.routed': { concurrency: ROUTED_AT_ONCE * concurrency, orderedPerAggregate: false } },
    },
  });
}

if (require.main === module) {
  startGrader()
    .then((service) => {
      stopOnSignals(service);
      console.log(`grader listening on ${service.url}`);
    })
    .catch((error) => {
      console.error(`grader failed to start: ${(error as Error).message}`);
      process.exit(1);
    });
}
