import type { ModelCall, Usage } from './provider';

export const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

/** The total of several calls made for one request: spend adds up, the last call names the model. */
export function combineCalls(calls: readonly ModelCall[]): ModelCall {
  if (calls.length === 0) throw new RangeError('combineCalls needs at least one call');
  return {
    usage: calls.reduce((sum, c) => addUsage(sum, c.usage), NO_USAGE),
    costUsd: calls.reduce((sum, c) => sum + c.costUsd, 0),
    latencyMs: calls.reduce((sum, c) => sum + c.latencyMs, 0),
    model: calls[calls.length - 1].model,
    simulated: calls.some((c) => c.simulated),
  };
}
