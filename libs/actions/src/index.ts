export * from './goal-input';
export * from './submit-goal';
export * from './review-resolution';
export * from './review-commands';
