import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventOf } from '@loopwright/events';
import { MinerService } from './miner.service';

@Controller()
export class MinerController {
  constructor(private readonly miner: MinerService) {}

  @EventPattern('rule.approved')
  onApproved(@Payload() event: EventOf<'rule.approved'>): Promise<void> {
    return this.miner.onApproved(event);
  }
}
