import { UpstreamModelError } from '@loopwright/core';

/** A replayed request that was never recorded: the recording is stale or the code asks something new. */
export class MissingRecordingError extends UpstreamModelError {
  constructor(
    readonly requestHash: string,
    readonly kind: 'answer' | 'turn',
    readonly purpose: string,
    readonly cassettePath: string,
  ) {
    super(
      `replay: no recording of ${kind} request ${requestHash} (purpose ${purpose}) in ${cassettePath}; record it again in record mode`,
      false,
    );
  }
}
