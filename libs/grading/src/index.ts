export * from './grading-plan';
export * from './grading-state';
export * from './decide-grading';
export * from './judge-prompt';
export * from './rederive-grade';
