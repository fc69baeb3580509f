export * from './provider';
export * from './unusable-answer-error';
export { ANTHROPIC_PRICES, FREE, costOf, priceOf } from './pricing';
export type { ModelPrice } from './pricing';
export { addUsage, combineCalls, NO_USAGE } from './model-call';
export { answerWithValidation } from './structured/validated-answer';
export type { AnswerAttempt, AttemptOutput, RawAnswer } from './structured/validated-answer';
export { answerJsonSchema } from './structured/answer-json-schema';
export { DEFAULT_RETRY_POLICY, realSleep } from './retry/with-retries';
export type { RetryPolicy, Sleep } from './retry/with-retries';

export { createAnthropicProvider } from './anthropic/anthropic-provider';
export type { AnthropicProviderOptions } from './anthropic/anthropic-provider';
export { createOpenAICompatibleProvider } from './openai/openai-compatible-provider';
export type { OpenAICompatibleProviderOptions } from './openai/openai-compatible-provider';
export { createReplayProvider } from './replay/replay-provider';
export type { ReplayProviderOptions } from './replay/replay-provider';
export { MissingRecordingError } from './replay/missing-recording-error';
export { answerRequestHash, turnRequestHash } from './replay/request-hash';
export { CassetteSchema } from './replay/cassette';
export type { Cassette, CassetteEntry } from './replay/cassette';

export { createSimProvider } from './sim/sim-provider';
export type { SimProviderOptions } from './sim/sim-provider';
export type {
  DraftStream, EditVerdict, SimAgentContext, SimAnswerContext, SimEditorContext, SimJudgeContext, SimRoute, SimWorkRef,
} from './sim/sim-context';
export { JUDGE_TRUTH, truthFor } from './sim/judge-truth';
export type { ItemTruth } from './sim/judge-truth';
export { DimensionAnswerSchema, GateAnswerSchema } from './sim/judge-answer-schemas';
export type { DimensionAnswer, GateAnswer } from './sim/judge-answer-schemas';
export { EditAnswerSchema } from './edit-answer-schema';
export type { EditAnswer } from './edit-answer-schema';
export { trueVerdict } from './sim/sim-judge';
export { defectsAt, planFor } from './sim/sim-plan';
export type { PlanStep, SimPlan } from './sim/sim-plan';
export { DEFAULT_WORKLOAD_PATH, DEFECTS, goalOf, LATENTS, loadWorkload, parseWorkload, profileOf, WorkloadGoalSchema, WorkloadSpecSchema } from './sim/workload';
export type { Defect, Drafter, Latent, WorkloadGoal, WorkloadSpec } from './sim/workload';
export { mulberry32, seededRandom } from './sim/prng';

export { BACKENDS, createProvider } from './create-provider';
export type { Backend, DirectProviderConfig, ProviderConfig } from './create-provider';
export { DEFAULT_ANTHROPIC_MODEL, providerConfigFromEnv } from './provider-env';
export type { ProviderEnvOptions } from './provider-env';
export { classifyAnthropicError } from './anthropic/anthropic-failure';
export type { CallFailure } from './retry/with-retries';
