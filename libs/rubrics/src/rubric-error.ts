import { ValidationError } from '@loopwright/core';

/** A reason a rubric or golden file was refused: the field path in the file and why. */
export interface RubricIssue {
  path: string;
  message: string;
  /** 1-based line in the file, when the field can be located. */
  line?: number;
}

/** A rubric or golden file that cannot be used: names the file, each field path and the reason. */
export class RubricFileError extends ValidationError {
  constructor(
    readonly file: string,
    readonly fileIssues: readonly RubricIssue[],
  ) {
    super(
      `invalid rubric file ${file}: ${fileIssues
        .map((i) => `${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`)
        .join('; ')}`,
      fileIssues.map(({ path, message }) => ({ path, message })),
    );
  }
}
