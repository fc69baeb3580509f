export const ROUTER_CONFIG = Symbol('ROUTER_CONFIG');
