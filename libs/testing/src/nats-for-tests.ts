import { INSECURE_VARIABLE, natsRequiresUsers, NatsWithIdentities, passwordVariable, startNatsWithIdentities } from '@loopwright/eventlog';
import { natsUrl } from './service-urls';

/**
 * The NATS server of a whole Jest run, chosen once (globalSetup): the one at NATS_URL when it has users
 * and the environment holds their passwords, or when LOOPWRIGHT_NATS_INSECURE=1 says to use it without;
 * otherwise a nats-server of the run's own whose users are the generated identities, with every stream
 * and subject root in scope so each suite's own stream is held to the same permissions.
 * Sets NATS_URL and the identities' passwords in `env` for the test processes and what they spawn.
 */
export async function natsForTests(env: NodeJS.ProcessEnv = process.env): Promise<NatsWithIdentities | undefined> {
  if (env[INSECURE_VARIABLE] === '1' || env[passwordVariable('operator')]) return undefined;
  const url = natsUrl();
  const hasUsers = await natsRequiresUsers(url).catch(() => false);
  if (hasUsers) {
    throw new Error(`the NATS server at ${url} has users: give the tests ${passwordVariable('operator')} and the other ` +
      'identities\' passwords, or unset NATS_URL so that they start a server of their own');
  }
  const nats = await startNatsWithIdentities({ streamName: '*', subjectRoot: '*', objectStoreBucket: '*' });
  Object.assign(env, nats.env, { NATS_URL: nats.server.url });
  return nats;
}
