import { DynamicModule, Module } from '@nestjs/common';
import { ExecutorController } from './executor.controller';
import { ExecutorOptions, ExecutorService } from './executor.service';
import { EXECUTOR_OPTIONS } from './executor.tokens';

@Module({})
export class ExecutorModule {
  static forRoot(options: ExecutorOptions): DynamicModule {
    return { module: ExecutorModule, controllers: [ExecutorController], providers: [ExecutorService, { provide: EXECUTOR_OPTIONS, useValue: options }] };
  }
}
