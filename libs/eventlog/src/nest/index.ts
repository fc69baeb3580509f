export * from './jetstream.context';
export * from './jetstream.transport';
