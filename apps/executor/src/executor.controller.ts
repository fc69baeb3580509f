import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@loopwright/events';
import { ExecutorService } from './executor.service';

@Controller()
export class ExecutorController {
  constructor(private readonly executor: ExecutorService) {}

  @EventPattern('goal.submitted')
  onGoal(@Payload() event: EventOf<'goal.submitted'>): Promise<void> {
    return this.executor.handle(event, event.aggregateId);
  }

  @EventPattern('decision.routed')
  onRouted(@Payload() event: EventOf<'decision.routed'>): Promise<void> {
    return event.data.key.startsWith('executor:') ? this.executor.handle(event, event.aggregateId) : Promise.resolve();
  }

  @EventPattern('review.resolved')
  onReviewResolved(@Payload() event: EventOf<'review.resolved'>): Promise<void> {
    return this.executor.onReviewResolved(event);
  }

  @EventPattern('system.event.quarantined')
  onQuarantined(@Payload() event: EventOf<'system.event.quarantined'>): Promise<void> {
    return this.executor.onQuarantined(event);
  }

  @EventPattern('grade.recorded')
  onGraded(@Payload() event: EventOf<'grade.recorded'>): Promise<void> {
    return this.executor.handle(event, event.aggregateId);
  }
}
