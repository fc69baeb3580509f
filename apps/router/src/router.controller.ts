import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@loopwright/events';
import { RouterService } from './router.service';

/** Rule events are not consumed here: every replica reads them from the log before routing (see RouterService). */
@Controller()
export class RouterController {
  constructor(private readonly router: RouterService) {}

  @EventPattern('decision.requested')
  route(@Payload() event: EventOf<'decision.requested'>): Promise<void> {
    return this.router.route(event);
  }

  @EventPattern('goal.submitted')
  onGoal(@Payload() event: EventOf<'goal.submitted'>): Promise<void> {
    return this.router.openGoal(event);
  }

  @EventPattern('run.ended')
  onRunEnded(@Payload() event: EventOf<'run.ended'>): Promise<void> {
    return this.router.endRun(event);
  }

  @EventPattern('decision.completed')
  onCompleted(@Payload() event: EventOf<'decision.completed'>): Promise<void> {
    return this.router.settle(event);
  }
}
