import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@loopwright/events';
import { jetStreamContext } from '@loopwright/eventlog/nest';
import { GraderService } from './grader.service';

@Controller()
export class GraderController {
  constructor(private readonly grader: GraderService) {}

  @EventPattern('work.produced')
  onWork(@Payload() event: EventOf<'work.produced'>, @Ctx() context: unknown): Promise<void> {
    return this.grader.handle(event, jetStreamContext(context).getSeq());
  }

  /** A task ended: the run may have ended with it, and then the run rubric is applied. */
  @EventPattern('task.completed')
  onTaskCompleted(@Payload() event: EventOf<'task.completed'>, @Ctx() context: unknown): Promise<void> {
    return this.grader.handle(event, jetStreamContext(context).getSeq());
  }

  @EventPattern('task.failed')
  onTaskFailed(@Payload() event: EventOf<'task.failed'>, @Ctx() context: unknown): Promise<void> {
    return this.grader.handle(event, jetStreamContext(context).getSeq());
  }

  @EventPattern('decision.routed')
  onRouted(@Payload() event: EventOf<'decision.routed'>, @Ctx() context: unknown): Promise<void> {
    return event.data.key.startsWith('grader:') ? this.grader.handleRouted(event, jetStreamContext(context).getSeq()) : Promise.resolve();
  }
}
