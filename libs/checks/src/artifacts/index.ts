export * from './artifact-files';
export * from './task-plan';
export * from './review-report';
export * from './probe-plan';
export * from './release-gate';
export * from './deployment-report';
export * from './handoff';
