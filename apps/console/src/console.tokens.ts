/** Nest injection tokens of the console. */
export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');
export const PROJECTIONS_DB = Symbol('PROJECTIONS_DB');
export const PROJECTION_WATCH = Symbol('PROJECTION_WATCH');
