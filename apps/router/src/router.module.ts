import { DynamicModule, Module } from '@nestjs/common';
import { RouterController } from './router.controller';
import { RouterService } from './router.service';
import { ROUTER_CONFIG } from './router.tokens';
import type { RouterConfig } from './router.config';

@Module({})
export class RouterModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterModule,
      controllers: [RouterController],
      providers: [RouterService, { provide: ROUTER_CONFIG, useValue: config }],
    };
  }
}
