/** Nest injection tokens for what every service shares. */
export const EVENT_LOG = Symbol('EVENT_LOG');
export const LOOP_METRICS = Symbol('LOOP_METRICS');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
/** The service's own health checks (a stalled projection reader): each names a problem or returns undefined. */
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
export type HealthCheck = () => string | undefined | Promise<string | undefined>;
