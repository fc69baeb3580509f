export * from './errors';
export * from './clock';
export * from './random';
export * from './decider';
export * from './keyed-queue';
export * from './run-folds';
export * from './keyed-batcher';
export * from './limiter';
