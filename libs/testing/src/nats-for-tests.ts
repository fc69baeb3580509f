import { natsWithUsers, NatsInUse } from '@loopwright/eventlog';
import { natsUrl } from './service-urls';

/**
 * The NATS server of a whole Jest run, chosen once (globalSetup) by natsWithUsers: the one at NATS_URL
 * when it has users (their passwords come from the environment, LOOPWRIGHT_NATS_PASSWORD_<IDENTITY>) or
 * LOOPWRIGHT_NATS_INSECURE=1; otherwise a nats-server of the run's own whose users are the generated
 * identities with every stream and subject root in scope, so each suite's own stream is held to the same
 * permissions. Sets NATS_URL and the passwords in `env`, for the test processes and what they spawn.
 */
export async function natsForTests(env: NodeJS.ProcessEnv = process.env): Promise<NatsInUse> {
  const nats = await natsWithUsers(natsUrl(), { streamName: '*', subjectRoot: '*', objectStoreBucket: '*' }, env);
  Object.assign(env, nats.env, { NATS_URL: nats.url });
  return nats;
}
