import { costOf, ModelPrice } from '../pricing';
import type { ModelCall } from '../provider';

/** About four characters per token, the usual rule of thumb for English and code. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * A simulated call priced as if a real model had made it. The static prefix counts as a cache
 * read (a warm cache, as in a steady loop), and latency is modeled from the output length.
 */
export function simulatedCall(model: string, price: ModelPrice, cachedPrefix: string, input: string, output: string): ModelCall {
  const usage = {
    inputTokens: estimateTokens(input),
    outputTokens: estimateTokens(output),
    cacheReadTokens: estimateTokens(cachedPrefix),
    cacheWriteTokens: 0,
  };
  return { usage, costUsd: costOf(usage, price), model, latencyMs: 400 + 10 * usage.outputTokens, simulated: true };
}
