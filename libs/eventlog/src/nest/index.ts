export * from './jetstream.context';
export * from './jetstream.transport';
export * from './handler-errors.filter';
