export * from './predicate';
