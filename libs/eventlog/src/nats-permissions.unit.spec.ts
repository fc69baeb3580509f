import { readFileSync } from 'node:fs';
import path from 'node:path';
import { catalog, EVENT_TYPES } from '@loopwright/events';
import {
  durableName, logLocationFromEnv, natsPermissionsConfig, natsPermissionsFor, natsScopeOf, producerOf, SERVICE_IDENTITIES,
} from './index';

const ROOT = path.resolve(__dirname, '../../..');
const scope = { streamName: 'S1', subjectRoot: 'r1', objectStoreBucket: 'S1_artifacts' };

describe('natsPermissionsFor', () => {
  it.each(SERVICE_IDENTITIES)('lets %s publish only its own event types, under its own producer token', (identity) => {
    const events = natsPermissionsFor(identity, scope).publish.allow.filter((s) => s.startsWith('r1.'));
    const owned = EVENT_TYPES.filter((type) => (catalog[type].producers as readonly string[]).includes(producerOf(identity)));
    expect(events).toEqual(owned.map((type) => `r1.${catalog[type].aggregate}.*.${producerOf(identity)}.${type}`));
  });

  it.each(SERVICE_IDENTITIES)('gives %s no delete (but of ordered consumers), purge or stream management, on the log or the bucket', (identity) => {
    const { allow, deny } = natsPermissionsFor(identity, scope).publish;
    expect(allow.filter((s) => /DELETE|PURGE|STREAM\.(CREATE|UPDATE)|\$JS\.API\.>|^>$/.test(s))).toEqual(['$JS.API.CONSUMER.DELETE.S1.*']);
    const durables = SERVICE_IDENTITIES.flatMap((other) => EVENT_TYPES.map((type) => durableName(other, type)));
    expect(deny).toEqual(expect.arrayContaining(durables.map((durable) => `$JS.API.CONSUMER.DELETE.S1.${durable}`)));
    expect(allow.every((s) => s.startsWith('r1.') || s.startsWith('$'))).toBe(true);
  });

  it('denies each identity the durables of the others, and only theirs', () => {
    const executorDeny = natsPermissionsFor('executor', scope).publish.deny;
    const graderDurable = durableName('grader', 'work.produced');
    expect(executorDeny).toEqual(expect.arrayContaining([
      `$JS.API.CONSUMER.CREATE.S1.${graderDurable}`, `$JS.API.CONSUMER.CREATE.S1.${graderDurable}.>`,
      `$JS.API.CONSUMER.MSG.NEXT.S1.${graderDurable}`, `$JS.ACK.S1.${graderDurable}.>`,
    ]));
    expect(executorDeny.filter((s) => s.includes('.executor-') && !s.includes('.CONSUMER.DELETE.'))).toEqual([]);
  });

  it('takes the durables it is given', () => {
    const deny = natsPermissionsFor('executor', { ...scope, durables: { grader: ['g1'] } }).publish.deny;
    expect(deny).toContain('$JS.ACK.S1.g1.>');
    expect(deny).not.toContain(`$JS.ACK.S1.${durableName('grader', 'work.produced')}.>`);
  });

  it('lets only the router, the executor and the grader read or write the budget ledger', () => {
    const touches = (identity: (typeof SERVICE_IDENTITIES)[number]) =>
      natsPermissionsFor(identity, scope).publish.allow.filter((s) => s.includes('S1_budgets'));
    expect(SERVICE_IDENTITIES.filter((identity) => touches(identity).length > 0)).toEqual(['executor', 'grader', 'router']);
    expect(touches('router')).toEqual(expect.arrayContaining(['$KV.S1_budgets.>', '$JS.API.DIRECT.GET.KV_S1_budgets.>']));
  });

  it('lets only the executor, the miner, the submitter and the console (imports, long goal descriptions) write artifacts', () => {
    const writers = SERVICE_IDENTITIES.filter((i) => natsPermissionsFor(i, scope).publish.allow.includes('$O.S1_artifacts.>'));
    expect(writers).toEqual(['executor', 'miner', 'submitter', 'console']);
  });

  it('lets the operator do anything', () => {
    expect(natsPermissionsFor('operator', scope)).toEqual({ publish: { allow: ['>'], deny: [] }, subscribe: { allow: ['>'], deny: [] } });
  });

  it('is what deploy/nats and k8s hold for the default stream', () => {
    const generated = natsPermissionsConfig(natsScopeOf(logLocationFromEnv({})));
    expect(readFileSync(path.join(ROOT, 'deploy/nats/permissions.conf'), 'utf8')).toBe(generated);
    expect(readFileSync(path.join(ROOT, 'k8s/base/nats/permissions.conf'), 'utf8')).toBe(generated);
  });
});
