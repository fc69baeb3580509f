import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Hands an `@EventPattern` handler's error to the JetStream transport as it was thrown. Nest's own
 * filter turns every error that is not an RpcException into `{ status: 'error', message: 'Internal
 * server error' }`, so a ValidationError lost its class (and was retried as if retryable until its
 * deliveries ran out) and its quarantine notice read "[object Object]" instead of the reason.
 * For the handlers' own config only: on HTTP it would take errors from the app's filters.
 */
@Catch()
export class HandlerErrorsFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
