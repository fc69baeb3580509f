import 'reflect-metadata';
import type { EventLog } from '@loopwright/eventlog';
import { startService, stopOnSignals } from '@loopwright/service';
import { minerConfigFromEnv } from './miner.config';
import { MinerModule } from './miner.module';

export function startMiner(options: { port?: number; config?: ReturnType<typeof minerConfigFromEnv>; log?: EventLog } = {}) {
  return startService({
    name: 'miner',
    producer: 'miner',
    log: options.log,
    imports: [MinerModule.forRoot(options.config ?? minerConfigFromEnv())],
    port: options.port ?? Number(process.env['PORT'] ?? 0),
  });
}

if (require.main === module) {
  startMiner()
    .then((service) => {
      service.app.enableShutdownHooks();
      stopOnSignals(service);
      console.log(`miner listening on ${service.url}`);
    })
    .catch((error) => {
      console.error(`miner failed to start: ${(error as Error).message}`);
      process.exit(1);
    });
}
