// Writes NATS configuration generated from the event catalog (libs/eventlog/src/nats-permissions.ts).
//
//   node -r @swc-node/register scripts/nats-config.ts permissions            # deploy/nats and k8s/base/nats permissions.conf
//   node -r @swc-node/register scripts/nats-config.ts server --out nats.conf [--stream S --root r --bucket B]
//
// `server` writes a whole nats-server config with one user per identity and fresh random passwords,
// and prints the environment each process needs (LOOPWRIGHT_NATS_PASSWORD_<IDENTITY>=...).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { logLocationFromEnv, NATS_IDENTITIES, natsPermissionsConfig, natsScopeOf, natsServerConfig, passwordVariable } from '@loopwright/eventlog';

const ROOT = path.resolve(__dirname, '..');
const USAGE = 'usage: scripts/nats-config.ts permissions | server --out <file> [--stream S --root r --bucket B]\n';

function parseCommandLine(): ReturnType<typeof parse> {
  try {
    return parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message.split('. ')[0]}\n${USAGE}`);
    process.exit(2);
  }
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { stream: { type: 'string' }, root: { type: 'string' }, bucket: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}

const { positionals, values } = parseCommandLine();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const defaults = natsScopeOf(logLocationFromEnv({}));
const scope = {
  streamName: values.stream ?? defaults.streamName,
  subjectRoot: values.root ?? defaults.subjectRoot,
  objectStoreBucket: values.bucket ?? (values.stream ? `${values.stream}_artifacts` : defaults.objectStoreBucket),
};

switch (positionals[0]) {
  case 'permissions': {
    for (const file of ['deploy/nats/permissions.conf', 'k8s/base/nats/permissions.conf']) {
      writeFileSync(path.join(ROOT, file), natsPermissionsConfig(scope));
      process.stdout.write(`wrote ${file}\n`);
    }
    break;
  }
  case 'server': {
    if (!values.out) {
      process.stderr.write(`server: say where to write the config with --out <file>\n${USAGE}`);
      process.exit(2);
    }
    const users = NATS_IDENTITIES.map((identity) => ({ identity, password: randomBytes(18).toString('base64url') }));
    writeFileSync(values.out, natsServerConfig(scope, users), { mode: 0o600 });
    process.stderr.write(`wrote ${values.out}; start it with nats-server -c ${values.out} -js\n`);
    for (const { identity, password } of users) process.stdout.write(`${passwordVariable(identity)}=${password}\n`);
    break;
  }
  default:
    process.stderr.write(USAGE);
    process.exit(2);
}
