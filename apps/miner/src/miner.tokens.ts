export const MINER_CONFIG = Symbol('MINER_CONFIG');
