export * from './run-command';
export * from './workspace';
export * from './sandbox-tools';
