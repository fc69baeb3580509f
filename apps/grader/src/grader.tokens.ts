export const GRADER_OPTIONS = Symbol('GRADER_OPTIONS');
