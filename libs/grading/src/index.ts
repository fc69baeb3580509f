export * from './grading-plan';
export * from './grading-state';
export * from './decide-grading';
export * from './judge-prompt';
export * from './rederive-grade';
export * from './fix-routing';
export * from './calibration';
export * from './run-grading';
