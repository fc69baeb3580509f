export * from './service-urls';
export * from './test-log';
export * from './test-schema';
export { findNatsServerBinary, freePort, startNatsServer } from '@loopwright/eventlog';
export type { NatsServerOptions, TestNatsServer } from '@loopwright/eventlog';
export * from './nats-refusal';
export * from './simulated-work';
