import 'reflect-metadata';
import { concurrencyFromEnv, startService, stopOnSignals } from '@loopwright/service';
import { routerConfigFromEnv } from './router.config';
import { RouterModule } from './router.module';

/**
 * A run's decisions are independent of each other: the router takes many at once (a work's rubric
 * items arrive together) and routes and settles those of one run together.
 */
const ROUTER_CONCURRENCY_DEFAULT = 32;

export function startRouter(options: { port?: number; config?: ReturnType<typeof routerConfigFromEnv> } = {}) {
  const together = { concurrency: concurrencyFromEnv('LOOP_ROUTER_CONCURRENCY', ROUTER_CONCURRENCY_DEFAULT), orderedPerAggregate: false };
  return startService({
    name: 'router',
    producer: 'router',
    imports: [RouterModule.forRoot(options.config ?? routerConfigFromEnv())],
    port: options.port ?? Number(process.env['PORT'] ?? 0),
    transport: { perType: { 'decision.requested': together, 'decision.completed': together } },
  });
}

if (require.main === module) {
  startRouter()
    .then((service) => {
      stopOnSignals(service);
      console.log(`router listening on ${service.url}`);
    })
    .catch((error) => {
      console.error(`router failed to start: ${(error as Error).message}`);
      process.exit(1);
    });
}
