import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@loopwright/events';
import { RouterService } from './router.service';

@Controller()
export class RouterController {
  constructor(private readonly router: RouterService) {}

  @EventPattern('decision.requested')
  route(@Payload() event: EventOf<'decision.requested'>): Promise<void> {
    return this.router.route(event);
  }

  @EventPattern('goal.submitted')
  onGoal(@Payload() event: EventOf<'goal.submitted'>): Promise<void> {
    return this.router.apply(event);
  }

  @EventPattern('decision.completed')
  onCompleted(@Payload() event: EventOf<'decision.completed'>): Promise<void> {
    return this.router.apply(event);
  }

  @EventPattern('rule.promoted')
  onPromoted(@Payload() event: EventOf<'rule.promoted'>): Promise<void> {
    return this.router.apply(event);
  }

  @EventPattern('rule.demoted')
  onDemoted(@Payload() event: EventOf<'rule.demoted'>): Promise<void> {
    return this.router.apply(event);
  }
}
