export * from './service-urls';
export * from './test-log';
export * from './test-schema';
export * from './nats-server';
export * from './nats-refusal';
