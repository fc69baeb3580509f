/**
 * The error hierarchy every Loopwright module throws. Each error has a stable `code`,
 * says whether retrying the same operation can succeed, and chains its `cause`.
 */
export abstract class LoopwrightError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that can never be accepted as it is: a malformed event, an invalid goal, a bad rubric. */
export class ValidationError extends LoopwrightError {
  readonly code = 'VALIDATION';
  readonly retryable = false;
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An operation that is not allowed in the current state (approving an unvalidated rule, …). */
export class IllegalStateError extends LoopwrightError {
  readonly code = 'ILLEGAL_STATE';
  readonly retryable = false;
}

/** An optimistic-concurrency check failed: someone else appended first. */
export class ConcurrencyError extends LoopwrightError {
  readonly code = 'CONCURRENCY';
  readonly retryable = true;
}

/** A budget does not allow the operation. */
export class BudgetError extends LoopwrightError {
  readonly code = 'BUDGET';
  readonly retryable = false;
}

/** A model provider failed or answered something unusable. */
export class UpstreamModelError extends LoopwrightError {
  readonly code = 'UPSTREAM_MODEL';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
  readonly status?: number;
}

/** The log, the database or another piece of infrastructure is not reachable right now. */
export class InfrastructureError extends LoopwrightError {
  readonly code = 'INFRASTRUCTURE';
  readonly retryable = true;
}

/**
 * Commands cannot be isolated on this machine (no bubblewrap, or it cannot create its namespaces),
 * so they are refused rather than run unconfined.
 */
export class SandboxUnavailableError extends LoopwrightError {
  readonly code = 'SANDBOX_UNAVAILABLE';
  readonly retryable = false;
}

export function isRetryable(error: unknown): boolean {
  return error instanceof LoopwrightError ? error.retryable : false;
}
