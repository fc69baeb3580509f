export * from './tokens';
export * from './metrics';
export * from './health.controller';
export * from './bootstrap';
export * from './model-backends';
export * from './resident-models';
export * from './rule-states';
export * from './service-process';
