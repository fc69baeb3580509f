import { DynamicModule, Module } from '@nestjs/common';
import { GraderController } from './grader.controller';
import { GraderOptions, GraderService } from './grader.service';
import { GRADER_OPTIONS } from './grader.tokens';

@Module({})
export class GraderModule {
  static forRoot(options: GraderOptions): DynamicModule {
    return { module: GraderModule, controllers: [GraderController], providers: [GraderService, { provide: GRADER_OPTIONS, useValue: options }] };
  }
}
