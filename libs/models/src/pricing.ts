import { ValidationError } from '@loopwright/core';
import type { Usage } from './provider';

/** USD per million tokens. `cacheWrite` is the 5-minute ephemeral cache write price. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

const OPUS_4_0: ModelPrice = { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 };
const OPUS_4_5: ModelPrice = { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 };
const SONNET_4: ModelPrice = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
const HAIKU_4_5: ModelPrice = { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 };

/**
 * Anthropic list prices. Dated ids (`claude-sonnet-4-5-20250929`) resolve to their undated entry.
 * A model missing here must be priced explicitly: a cost silently counted as 0 would hide spend from budgets.
 */
export const ANTHROPIC_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-4-0': OPUS_4_0,
  'claude-opus-4': OPUS_4_0,
  'claude-opus-4-1': OPUS_4_0,
  'claude-opus-4-5': OPUS_4_5,
  'claude-opus-4-6': OPUS_4_5,
  'claude-sonnet-4-0': SONNET_4,
  'claude-sonnet-4': SONNET_4,
  'claude-sonnet-4-5': SONNET_4,
  'claude-sonnet-4-6': SONNET_4,
  'claude-haiku-4-5': HAIKU_4_5,
};

export const FREE: ModelPrice = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };

/** The price of `model` from `table`, or a ValidationError naming the model and the known ones. */
export function priceOf(model: string, table: Readonly<Record<string, ModelPrice>> = ANTHROPIC_PRICES): ModelPrice {
  const price = table[model] ?? table[model.replace(/-\d{8}$/, '')];
  if (!price) {
    throw new ValidationError(
      `no price for model "${model}": pass a price for it explicitly (known: ${Object.keys(table).join(', ')})`,
      [{ path: 'model', message: 'unknown model' }],
    );
  }
  return price;
}

export function costOf(usage: Usage, price: ModelPrice): number {
  const microUsd =
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheWriteTokens * price.cacheWrite +
    usage.cacheReadTokens * price.cacheRead;
  return microUsd / 1_000_000;
}
