import { catalog, EVENT_TYPES, EventType, PRODUCERS, Producer, producerMayPublish } from '@loopwright/events';
import { deliveryBucketOf, leaseBucketOf } from './config';
import { FOLD_SNAPSHOT_SERVICES, foldBucketOf } from './fold-snapshots';

/**
 * Who connects to NATS: each producer as itself, the console (publishing what the submitter may),
 * and the operator, who provisions and may delete or purge anything.
 */
export const NATS_IDENTITIES = [...PRODUCERS, 'console', 'operator'] as const;
export type NatsIdentity = (typeof NATS_IDENTITIES)[number];
/** The identities a service or person runs as: everyone but the operator. */
export const SERVICE_IDENTITIES = NATS_IDENTITIES.filter((i): i is Exclude<NatsIdentity, 'operator'> => i !== 'operator');

/** The part of one NATS server an identity's permissions are written for. */
export interface NatsScope {
  streamName: string;
  subjectRoot: string;
  objectStoreBucket: string;
  /** The budget ledger's KV bucket; by default `<stream>_budgets`. */
  budgetBucket?: string;
  /** Each identity's durable consumers; by default `<identity>-<event type>` for every type (see `durableName`). */
  durables?: Partial<Record<NatsIdentity, readonly string[]>>;
}

export interface NatsPermissions {
  publish: { allow: string[]; deny: string[] };
  subscribe: { allow: string[]; deny: string[] };
}

/** The durable consumer a service keeps for one event type: `grader-work-produced`. */
export function durableName(service: string, type: EventType): string {
  return `${service}-${type.replace(/\./g, '-')}`;
}

/** The producer token an identity publishes under. */
export function producerOf(identity: Exclude<NatsIdentity, 'operator'>): Producer {
  return identity === 'console' ? 'submitter' : identity;
}

/**
 * Who may write artifacts: the executor (workspace snapshots), the miner (trained resident models)
 * and the submitter and the console (the delivered change of an imported transcript, a goal's long description).
 */
const WRITES_ARTIFACTS: readonly NatsIdentity[] = ['executor', 'miner', 'submitter', 'console'];

/** Who holds and spends budgets: the router (per decision), the executor and the grader (per model call). */
const SPENDS_BUDGETS: readonly NatsIdentity[] = ['router', 'executor', 'grader'];

/** Who runs work under a lease, one replica at a time: the miner (its outer-loop passes). */
const HOLDS_LEASES: readonly NatsIdentity[] = ['miner'];

/** The budget ledger's bucket of a scope (a wildcard stream means every bucket). */
export function budgetBucketOf(scope: Pick<NatsScope, 'streamName' | 'budgetBucket'>): string {
  return scope.budgetBucket ?? (scope.streamName === '*' ? '*' : `${scope.streamName}_budgets`);
}

/**
 * One identity's publish/subscribe allow and deny lists, derived from the catalog: it may append only
 * its own event types under its own producer token; read the stream and the artifact bucket (write the
 * bucket when it produces artifacts); create, pull from and ack consumers on the stream (ordered readers
 * get generated names) except another identity's durables, which it may neither create, pull from nor
 * ack. No identity but the operator may delete or purge a stream, delete a durable, or purge the bucket;
 * the others may delete the ordered consumers of the log's stream (their readers' own, when done).
 */
export function natsPermissionsFor(identity: NatsIdentity, scope: NatsScope): NatsPermissions {
  if (identity === 'operator') return { publish: { allow: ['>'], deny: [] }, subscribe: { allow: ['>'], deny: [] } };
  const { streamName: stream, subjectRoot: root, objectStoreBucket: bucket } = scope;
  const producer = producerOf(identity);
  const api = '$JS.API';
  const events = EVENT_TYPES.filter((type) => producerMayPublish(type, producer)).map(
    (type) => `${root}.${catalog[type].aggregate}.*.${producer}.${type}`,
  );
  const reading = (name: string) => [
    `${api}.STREAM.INFO.${name}`,
    `${api}.STREAM.MSG.GET.${name}`,
    `${api}.DIRECT.GET.${name}`,
    `${api}.DIRECT.GET.${name}.>`,
    // not the legacy `CONSUMER.CREATE.<stream>`: its consumer name is in the request, where no permission can see it
    `${api}.CONSUMER.CREATE.${name}.*`,
    `${api}.CONSUMER.CREATE.${name}.*.>`,
    `${api}.CONSUMER.INFO.${name}.*`,
    `${api}.CONSUMER.LIST.${name}`,
    `${api}.CONSUMER.NAMES.${name}`,
    `${api}.CONSUMER.MSG.NEXT.${name}.*`,
    `$JS.ACK.${name}.>`,
  ];
  // a wildcard stream (a test server shared by many suites) covers the bucket's stream too
  const bucketStream = stream === '*' ? '*' : `OBJ_${bucket}`;
  const budgets = budgetBucketOf(scope);
  const budgetStream = budgets === '*' ? '*' : `KV_${budgets}`;
  // every consumer records the handler runs of redelivered messages (see openDeliveryCounter)
  const deliveries = stream === '*' ? '*' : deliveryBucketOf(stream);
  const deliveriesStream = stream === '*' ? '*' : `KV_${deliveries}`;
  const leases = stream === '*' ? '*' : leaseBucketOf(stream);
  const leasesStream = stream === '*' ? '*' : `KV_${leases}`;
  const folds = stream === '*' ? '*' : foldBucketOf(stream, identity);
  const foldsStream = stream === '*' ? '*' : `KV_${folds}`;
  const own = durablesOf(identity, scope);
  const others = SERVICE_IDENTITIES.filter((other) => other !== identity)
    .flatMap((other) => durablesOf(other, scope))
    .filter((durable) => !own.includes(durable));
  return {
    publish: {
      allow: unique([
        ...events,
        `${api}.INFO`,
        ...reading(stream),
        // readers delete their ordered consumers when done (see openOrderedReader); durables are denied below
        `${api}.CONSUMER.DELETE.${stream}.*`,
        ...reading(bucketStream),
        ...reading(deliveriesStream),
        `$KV.${deliveries}.>`,
        ...(WRITES_ARTIFACTS.includes(identity) ? [`$O.${bucket}.>`] : []),
        ...(SPENDS_BUDGETS.includes(identity) ? [...reading(budgetStream), `$KV.${budgets}.>`] : []),
        ...(HOLDS_LEASES.includes(identity) ? [...reading(leasesStream), `$KV.${leases}.>`] : []),
        ...((FOLD_SNAPSHOT_SERVICES as readonly string[]).includes(identity) ? [...reading(foldsStream), `$KV.${folds}.>`] : []),
      ]),
      deny: unique([
        ...unique(others).flatMap((durable) => [
          `${api}.CONSUMER.CREATE.${stream}.${durable}`,
          `${api}.CONSUMER.CREATE.${stream}.${durable}.>`,
          `${api}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
          `$JS.ACK.${stream}.${durable}.>`,
        ]),
        ...unique([...own, ...others]).map((durable) => `${api}.CONSUMER.DELETE.${stream}.${durable}`),
      ]),
    },
    subscribe: { allow: ['_INBOX.>'], deny: [] },
  };
}

const unique = (items: readonly string[]) => [...new Set(items)];

function durablesOf(identity: Exclude<NatsIdentity, 'operator'>, scope: NatsScope): readonly string[] {
  return scope.durables?.[identity] ?? EVENT_TYPES.map((type) => durableName(identity, type));
}

/** A user of a generated nats-server config; `password` may be a `$VARIABLE` the server reads from its environment. */
export interface NatsUser {
  identity: NatsIdentity;
  user?: string;
  password: string;
}

const quote = (value: string) => JSON.stringify(value);
const list = (items: readonly string[], indent: string) =>
  items.length === 0 ? '[]' : `[\n${items.map((item) => `${indent}  ${quote(item)}`).join('\n')}\n${indent}]`;

/**
 * The permissions of every identity as nats-server config variables (`EXECUTOR_PERMISSIONS: { ... }`),
 * for a config to include; deploy/nats/permissions.conf is this text for the default stream.
 */
export function natsPermissionsConfig(scope: NatsScope): string {
  const header = [
    '# Generated by natsPermissionsConfig (libs/eventlog/src/nats-permissions.ts) from the event catalog;',
    '# do not edit: `node -r @swc-node/register scripts/nats-config.ts permissions` writes it again.',
    `# Stream ${scope.streamName}, subjects ${scope.subjectRoot}.>, artifacts bucket ${scope.objectStoreBucket}, budgets bucket ${budgetBucketOf(scope)}.`,
    '',
  ].join('\n');
  return header + NATS_IDENTITIES.map((identity) => {
    const p = natsPermissionsFor(identity, scope);
    const block = (name: string, side: { allow: string[]; deny: string[] }) =>
      `  ${name}: {\n    allow: ${list(side.allow, '    ')}\n` + (side.deny.length ? `    deny: ${list(side.deny, '    ')}\n` : '') + '  }';
    return `\n${permissionsVariable(identity)}: {\n${block('publish', p.publish)}\n${block('subscribe', p.subscribe)}\n}\n`;
  }).join('');
}

export function permissionsVariable(identity: NatsIdentity): string {
  return `${identity.toUpperCase()}_PERMISSIONS`;
}

/**
 * A whole nats-server config with one user per identity, for a server of a test or the demo; `server`
 * is the server's own part (JetStream on, by default; a cluster node's name, cluster and store).
 */
export function natsServerConfig(scope: NatsScope, users: readonly NatsUser[], server = 'jetstream {}'): string {
  const userLines = users.map(({ identity, user, password }) => {
    const pass = password.startsWith('$') ? password : quote(password);
    return `    { user: ${quote(user ?? identity)}, password: ${pass}, permissions: $${permissionsVariable(identity)} }`;
  });
  return [
    natsPermissionsConfig(scope),
    server,
    '',
    `authorization {\n  users = [\n${userLines.join('\n')}\n  ]\n}\n`,
  ].join('\n');
}
