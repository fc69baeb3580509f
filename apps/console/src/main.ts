import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { databaseConfigFromEnv, openDatabase, PROJECTION_MIGRATIONS } from '@loopwright/projections';
import { RunningService, startService, stopOnSignals } from '@loopwright/service';
import { ConsoleConfig, consoleConfigFromEnv } from './console.config';
import { openConsoleLog } from './console-log';
import { ConsoleModule } from './console.module';

export const DEFAULT_CONSOLE_PORT = 3000;

/** Starts the console: the web page and JSON API over the projections, and the human actions it appends to the log. */
export async function startConsole(options: { port?: number; config?: ConsoleConfig; db?: DataSource } = {}): Promise<RunningService> {
  const db = options.db ?? (await openDatabase(databaseConfigFromEnv(), PROJECTION_MIGRATIONS));
  const log = await openConsoleLog();
  const service = await startService({
    name: 'console',
    producer: 'submitter',
    log,
    imports: [ConsoleModule.forRoot(options.config ?? consoleConfigFromEnv(), db)],
    port: options.port ?? Number(process.env['PORT'] ?? DEFAULT_CONSOLE_PORT),
    // In a container the ingress reaches the console from outside: HOST=0.0.0.0 there.
    host: process.env['HOST'] || undefined,
  });
  return {
    ...service,
    stop: async () => {
      await service.stop();
      await log.close();
      if (!options.db) await db.destroy();
    },
  };
}

if (require.main === module) {
  startConsole()
    .then((service) => {
      stopOnSignals(service);
      const config = consoleConfigFromEnv();
      console.log(`console listening on ${service.url}${config.actionToken ? '' : ' (actions are off: set CONSOLE_TOKEN to allow them)'}`);
    })
    .catch((error) => {
      console.error(`console failed to start: ${(error as Error).message}`);
      process.exit(1);
    });
}
