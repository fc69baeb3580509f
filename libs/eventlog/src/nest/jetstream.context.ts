import { BaseRpcContext } from '@nestjs/microservices';
import type { LoopEvent } from '@loopwright/events';
import type { DeliveryContext } from '../consumer';

/** What an `@EventPattern` handler can ask about the message it is handling (`@Ctx()`). */
export class JetStreamContext extends BaseRpcContext<[LoopEvent, DeliveryContext]> {
  getEvent(): LoopEvent {
    return this.args[0];
  }
  getSeq(): number {
    return this.args[1].seq;
  }
  getDeliveries(): number {
    return this.args[1].deliveries;
  }
  /** Keeps the message from being redelivered while a long handler (a model call) runs. */
  working(): void {
    this.args[1].working();
  }
}

/**
 * Nest types an event handler's extra parameters as `unknown`; this narrows `@Ctx()` to the
 * transport's context, and fails loudly if the handler was reached another way.
 */
export function jetStreamContext(value: unknown): JetStreamContext {
  if (!(value instanceof JetStreamContext)) throw new Error('this handler must be reached through the JetStream transport');
  return value;
}
