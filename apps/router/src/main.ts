import 'reflect-metadata';
import { startService, stopOnSignals } from '@loopwright/service';
import { routerConfigFromEnv } from './router.config';
import { RouterModule } from './router.module';

export function startRouter(options: { port?: number; config?: ReturnType<typeof routerConfigFromEnv> } = {}) {
  return startService({
    name: 'router',
    producer: 'router',
    imports: [RouterModule.forRoot(options.config ?? routerConfigFromEnv())],
    port: options.port ?? Number(process.env['PORT'] ?? 0),
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
