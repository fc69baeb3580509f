export * from './scenario';
export * from './table-rows';
