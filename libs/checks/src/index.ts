export * from './predicate';
export * from './schema-issues';
export * from './path-scope';
export * from './claims';
export * from './trace-features';
export * from './output-features';
export * from './builtin-checks';
export * from './delivered-change';
