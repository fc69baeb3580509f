import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { AccessGuard } from './access.guard';
import { ApiController } from './api.controller';
import type { ConsoleConfig } from './console.config';
import { CONSOLE_CONFIG, PROJECTION_WATCH, PROJECTIONS_DB } from './console.tokens';
import { PagesController } from './pages.controller';
import { watchProjections } from './projection-watch';
import { ValidationErrorFilter } from './validation-error.filter';

@Module({})
export class ConsoleModule {
  static forRoot(config: ConsoleConfig, db: DataSource): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ApiController, PagesController],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        { provide: PROJECTIONS_DB, useValue: db },
        { provide: PROJECTION_WATCH, useValue: watchProjections(db, config.pollMs) },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: ValidationErrorFilter },
      ],
    };
  }
}
