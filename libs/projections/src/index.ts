export * from './data-source';
export * from './projector';
export * from './projector-runtime';
export * from './run-projector';
export { Checkpoints1700000000000 } from './migrations/1700000000000-checkpoints';
