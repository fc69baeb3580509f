export * from './run-command';
export * from './sandbox-limits';
export { SANDBOX_WORKSPACE, TRUSTED_PATH } from './bwrap-arguments';
export * from './workspace';
export type { IrregularEntry } from './workspace-entries';
export { MAX_DELIVERED_FILE_BYTES, MAX_DELIVERED_TOTAL_BYTES } from './workspace-entries';
export * from './snapshot';
export * from './sandbox-tools';
