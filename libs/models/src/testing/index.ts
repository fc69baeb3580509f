export * from './fake-json-server';
export * from './fake-messages-server';
export * from './fake-chat-completions-server';
export * from './sim-workload-fixture';
export * from './fake-managed-agents-server';
export * from './managed-script';
