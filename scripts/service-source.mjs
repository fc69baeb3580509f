// Where NATS and PostgreSQL come from for development and tests: a pure decision, apart from the probes.

/**
 * `urls`: NATS_URL or DATABASE_URL is set, so the person chose their servers: use them (or the local
 * fallbacks scripts/services.mjs starts when they do not answer).
 * `testcontainers`: no URL is set and a Docker engine answers: start both as containers.
 * `local`: no URL and no Docker: the servers on the default ports, or the local fallbacks.
 */
export function chooseServiceSource({ env, dockerAnswers }) {
  if (env.NATS_URL || env.DATABASE_URL) return 'urls';
  return dockerAnswers ? 'testcontainers' : 'local';
}

/** The Docker engine's socket: DOCKER_HOST when it names a unix socket, else the default one. */
export function dockerSocket(env) {
  const host = env.DOCKER_HOST;
  if (host && host.startsWith('unix://')) return host.slice('unix://'.length);
  if (host) return undefined; // a TCP engine: testcontainers reaches it itself, but this probe does not
  return '/var/run/docker.sock';
}
