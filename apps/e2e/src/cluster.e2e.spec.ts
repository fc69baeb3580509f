import { NATS_IDENTITIES, natsServerConfig, passwordVariable, startNatsCluster, TestNatsCluster } from '@loopwright/eventlog';
import { InnerLoopHarness, NO_DEFECTS, ofType, SeqEvent, until, within, writeWorkload } from './harness';

const RUNS = Number(process.env['LOOP_CLUSTER_RUNS'] ?? 4);
const GOALS = ['greet', 'palindrome', 'max-of', 'celsius'];

/** Every identity's user, with the passwords the run's processes connect with (none on a server without users). */
function clusterConfig(own: string): string {
  const users = NATS_IDENTITIES.map((identity) => ({ identity, password: process.env[passwordVariable(identity)] ?? '' }));
  if (users.some((user) => !user.password)) return own;
  return natsServerConfig({ streamName: '*', subjectRoot: '*', objectStoreBucket: '*' }, users, own);
}

/**
 * The services on a three-node JetStream cluster (the stream and its buckets with three replicas,
 * every client given all three nodes), with the stream's leader killed -9 mid-run and started again.
 */
describe('the services on a three-node JetStream cluster, its stream leader killed mid-run', () => {
  let cluster: TestNatsCluster;
  let harness: InnerLoopHarness;
  const runIds = Array.from({ length: RUNS }, (_, i) => `run-cluster-${i + 1}`);
  const runs = new Map<string, SeqEvent[]>();
  let killed = '';
  let closing = false;
  /** A run's events; while the cluster elects a new leader a read may time out, and is tried again (until the suite closes). */
  const readRun = (runId: string) => (closing ? Promise.reject(new Error('the suite is closing')) : harness.log.readRun(runId).catch(() => undefined));

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startNatsCluster({ config: clusterConfig });
    // the cluster elects its JetStream meta leader a moment after the nodes are up: open as soon as it answers
    harness = await until(async () =>
      InnerLoopHarness.open('cluster', { LOOP_SIM_WORKLOAD: writeWorkload({ defects: NO_DEFECTS }) }, {}, { natsUrl: cluster.urls, streamReplicas: 3 })
        .catch(() => new Promise<undefined>((resolve) => setTimeout(resolve, 250, undefined))),
    );
    await harness.start('router', 'executor', 'grader');
    for (const [i, runId] of runIds.entries()) await harness.submit(runId, GOALS[i % GOALS.length]);

    // mid-run: once decisions are being made, the stream's leader dies without a goodbye
    await within(until(async () => ((await readRun(runIds[0]))?.some((e) => e.type === 'decision.completed') ? true : undefined)), 60_000);
    const { cluster: placement } = await harness.log.jsm.streams.info(harness.config.streamName);
    killed = placement?.leader ?? cluster.names[0];
    const node = cluster.nodes[cluster.names.indexOf(killed)];
    const before = (await harness.log.readRun(runIds[RUNS - 1])).length;
    await node.kill('SIGKILL');
    console.log(`killed ${killed}, the stream's leader, ${Date.now() - started} ms after the start`);
    // the others elect a new leader and the runs go on; the node comes back once more has been appended
    await within(until(async () => (((await readRun(runIds[RUNS - 1]))?.length ?? 0) > before ? true : undefined)), 30_000);
    await node.start();
    console.log(`started ${killed} again ${Date.now() - started} ms after the start`);

    await within(
      Promise.all(runIds.map(async (runId) => {
        runs.set(runId, await until(async () => {
          const events = await readRun(runId);
          return events?.some((e) => e.type === 'run.ended') ? events : undefined;
        }));
      })),
      90_000,
    ).catch((error: unknown) => console.log(`not every run ended: ${String(error)}`));
    console.log(`runs ended ${Date.now() - started} ms after the start: ${runs.size} of ${RUNS}`);
    // Where a run that did not end stopped, so a failure says more than its name.
    for (const runId of runIds.filter((id) => !runs.has(id))) {
      const events = (await readRun(runId)) ?? [];
      console.log(`${runId} did not end: ${events.length} events, the last ${events.slice(-8).map((e) => `${e.type} (${e.producer})`).join(' > ')}`);
    }
  }, 240_000);

  afterAll(async () => {
    closing = true;
    await harness?.close();
    await cluster?.stop();
  });

  it('keeps the stream on three nodes', async () => {
    const info = await harness.log.jsm.streams.info(harness.config.streamName);
    expect(info.config.num_replicas).toBe(3);
    expect(killed).not.toBe('');
    // the killed node caught up with what was appended while it was down
    const current = await within(until(async () => {
      const placement = (await harness.log.jsm.streams.info(harness.config.streamName).catch(() => undefined))?.cluster;
      const peers = [placement?.leader, ...(placement?.replicas ?? []).filter((r) => r.current).map((r) => r.name)];
      return peers.length === 3 ? peers.sort() : undefined;
    }), 30_000);
    expect(current).toEqual([...cluster.names].sort());
  });

  it('ends every run, each decision routed and completed once, each work graded once', () => {
    expect(runIds.filter((id) => !runs.has(id))).toEqual([]);
    for (const events of runs.values()) {
      expect(ofType(events, 'run.ended')).toHaveLength(1);
      const requested = ofType(events, 'decision.requested').map((e) => e.data.decisionId);
      const count = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());
      const routed = count(ofType(events, 'decision.routed').map((e) => e.data.decisionId));
      const completed = count(ofType(events, 'decision.completed').filter((e) => !e.data.shadow).map((e) => e.data.decisionId));
      expect(requested.map((id) => [id, routed.get(id), completed.get(id)])).toEqual(requested.map((id) => [id, 1, 1]));
      expect(ofType(events, 'grade.recorded').map((e) => e.data.workId).sort()).toEqual(ofType(events, 'work.produced').map((e) => e.data.workId).sort());
    }
  });

  it('loses no message: the stream holds every sequence once, and every event id once', async () => {
    // the services still run and may append while this reads: the replay must reach at least what the
    // stream held before it began, with no sequence missing on the way
    const { state } = await harness.log.jsm.streams.info(harness.config.streamName);
    const seqs: number[] = [];
    const ids = new Set<string>();
    for await (const stored of harness.log.replay()) {
      seqs.push(stored.seq);
      if (stored.event) ids.add(stored.event.id);
    }
    expect(seqs).toEqual(Array.from({ length: Math.max(seqs.length, state.last_seq) }, (_, i) => i + 1));
    expect(ids.size).toBe(seqs.length);
    for (const events of runs.values()) for (const e of events) expect(ids.has(e.id)).toBe(true);
  });
});
