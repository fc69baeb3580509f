/** Nest injection tokens for what every service shares. */
export const EVENT_LOG = Symbol('EVENT_LOG');
export const LOOP_METRICS = Symbol('LOOP_METRICS');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
