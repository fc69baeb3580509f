import { DynamicModule, Module } from '@nestjs/common';
import type { MinerConfig } from './miner.config';
import { MinerController } from './miner.controller';
import { MinerService } from './miner.service';
import { MINER_CONFIG } from './miner.tokens';

@Module({})
export class MinerModule {
  static forRoot(config: MinerConfig): DynamicModule {
    return { module: MinerModule, controllers: [MinerController], providers: [MinerService, { provide: MINER_CONFIG, useValue: config }] };
  }
}
