import type { DataSource } from 'typeorm';
import { catchError, distinctUntilChanged, EMPTY, exhaustMap, from, Observable, shareReplay, timer } from 'rxjs';
import { projectionPosition } from '@loopwright/projections';

/**
 * The projections' position (highest committed stream sequence), polled every `pollMs` while anyone
 * listens and emitted only when it moves. One poll serves every listener; a failed poll is skipped.
 */
export function watchProjections(db: DataSource, pollMs: number): Observable<number> {
  return timer(0, pollMs).pipe(
    exhaustMap(() => from(projectionPosition(db)).pipe(catchError(() => EMPTY))),
    distinctUntilChanged(),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
}
