import path from 'node:path';

type Env = Record<string, string | undefined>;
interface ServiceSource {
  chooseServiceSource(input: { env: Env; dockerAnswers: boolean }): 'urls' | 'testcontainers' | 'local';
  dockerSocket(env: Env): string | undefined;
}
// scripts/ is plain JavaScript that runs before any build: loaded by path, with its shape declared here.
const SCRIPT = path.resolve(__dirname, '../../../scripts/service-source.mjs');
let chooseServiceSource: ServiceSource['chooseServiceSource'];
let dockerSocket: ServiceSource['dockerSocket'];
beforeAll(async () => {
  ({ chooseServiceSource, dockerSocket } = (await import(SCRIPT)) as ServiceSource);
});

describe('chooseServiceSource', () => {
  it('uses the URLs a person set, Docker or not', () => {
    for (const dockerAnswers of [true, false]) {
      expect(chooseServiceSource({ env: { NATS_URL: 'nats://n:4222' }, dockerAnswers })).toBe('urls');
      expect(chooseServiceSource({ env: { DATABASE_URL: 'postgres://p/db' }, dockerAnswers })).toBe('urls');
    }
  });

  it('starts containers when no URL is set and a Docker engine answers', () => {
    expect(chooseServiceSource({ env: {}, dockerAnswers: true })).toBe('testcontainers');
  });

  it('keeps to the local servers when no Docker engine answers', () => {
    expect(chooseServiceSource({ env: {}, dockerAnswers: false })).toBe('local');
    expect(chooseServiceSource({ env: { NATS_URL: '' }, dockerAnswers: false })).toBe('local');
  });
});

describe('dockerSocket', () => {
  it('reads a unix DOCKER_HOST, defaults to the standard socket, and does not probe a TCP engine', () => {
    expect(dockerSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toBe('/run/user/1000/docker.sock');
    expect(dockerSocket({})).toBe('/var/run/docker.sock');
    expect(dockerSocket({ DOCKER_HOST: 'tcp://10.0.0.1:2376' })).toBeUndefined();
  });
});
