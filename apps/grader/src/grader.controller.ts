import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@loopwright/events';
import { GraderService } from './grader.service';

@Controller()
export class GraderController {
  constructor(private readonly grader: GraderService) {}

  @EventPattern('work.produced')
  onWork(@Payload() event: EventOf<'work.produced'>): Promise<void> {
    return this.grader.handle(event);
  }

  /** A task ended: the run may have ended with it, and then the run rubric is applied. */
  @EventPattern('task.completed')
  onTaskCompleted(@Payload() event: EventOf<'task.completed'>): Promise<void> {
    return this.grader.handle(event);
  }

  @EventPattern('task.failed')
  onTaskFailed(@Payload() event: EventOf<'task.failed'>): Promise<void> {
    return this.grader.handle(event);
  }

  @EventPattern('decision.routed')
  onRouted(@Payload() event: EventOf<'decision.routed'>): Promise<void> {
    return event.data.key.startsWith('grader:') ? this.grader.handleRouted(event) : Promise.resolve();
  }
}
