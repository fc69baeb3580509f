import { connect } from '@nats-io/transport-node';
import { AuthorizationError } from '@nats-io/nats-core';
import { INSECURE_VARIABLE, natsRequiresUsers } from '@loopwright/eventlog';
import { natsUrl } from './index';

/** The harness's NATS: unless told to run without users, the tests connect to a server that has them. */
describe('the NATS server of the test run', () => {
  const insecure = process.env[INSECURE_VARIABLE] === '1';

  (insecure ? it.skip : it)('asks every connection for a user, and refuses one without', async () => {
    expect(await natsRequiresUsers(natsUrl())).toBe(true);
    const { hostname, port } = new URL(natsUrl());
    await expect(connect({ servers: `${hostname}:${port}`, reconnect: false })).rejects.toBeInstanceOf(AuthorizationError);
  });
});
