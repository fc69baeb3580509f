import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startNatsServer, TestNatsServer } from './nats-server-process';

/** A JetStream cluster of nats-server processes of this process's own, on loopback ports. */
export interface TestNatsCluster {
  /** The nodes, in order; each can be killed and started again on its port and store. */
  nodes: TestNatsServer[];
  /** Each node's server name (`n1`, `n2`…), as the cluster's stream info names its leader and replicas. */
  names: string[];
  /** Every node's client URL, comma-separated: what a client is given to reach whichever node is up. */
  urls: string;
  /** Stops every node and deletes every store. */
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  size?: number;
  /**
   * The rest of each node's config around its own part (users and permissions): called with that
   * part, returns the whole config. By default the node's part alone (no users).
   */
  config?(node: string): string;
}

/**
 * Starts `size` nodes (3 by default) clustered on loopback ports with JetStream, each with a server
 * name, `cluster { name, listen, routes }` and its own store (`-sd`) under one temporary folder, as JetStream
 * clustering on nats-server 2.9 requires. Resolves once every node accepts connections; the cluster
 * elects its JetStream meta leader a moment later.
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<TestNatsCluster> {
  const size = options.size ?? 3;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loopwright-nats-cluster-'));
  const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) routePorts.push(await freePort());
  const nodes: TestNatsServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, name] of names.entries()) {
      const storeDir = path.join(dir, name);
      mkdirSync(storeDir);
      const routes = routePorts.filter((_, j) => j !== i).map((port) => `nats-route://127.0.0.1:${port}`);
      const own = [
        `server_name: ${name}`,
        // the store is the node's own folder, given on the command line (-sd)
        'jetstream {}',
        `cluster {\n  name: loopwright\n  listen: 127.0.0.1:${routePorts[i]}\n  routes: [\n${routes.map((r) => `    ${r}`).join('\n')}\n  ]\n}`,
      ].join('\n');
      const configFile = path.join(dir, `${name}.conf`);
      writeFileSync(configFile, options.config ? options.config(own) : own, { mode: 0o600 });
      nodes.push(await startNatsServer({ configFile, storeDir }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, names, urls: nodes.map((node) => node.url).join(','), stop };
}
