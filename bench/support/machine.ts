import os from 'node:os';
import type { NatsConnection } from '@nats-io/nats-core';
import { Client } from 'pg';

/** Where and when the figures were measured. */
export interface MachineFacts {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  /** From the INFO the server sent when this benchmark connected. */
  natsServer: string;
  jetstream: boolean;
  postgres?: string;
  /** 1, 5 and 15 minute load averages when the benchmark began: other work on the machine skews the figures. */
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/** `nc` is left out by benchmarks that do not use NATS. */
export async function machineFacts(nc: NatsConnection | undefined, databaseUrl?: string): Promise<MachineFacts> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    natsServer: nc ? (nc.info?.version ?? 'unknown') : 'not used',
    jetstream: nc?.info?.jetstream ?? false,
    ...(databaseUrl ? { postgres: await postgresVersion(databaseUrl) } : {}),
    loadAverageAtStart: loadAverage(),
  };
}

async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0].server_version;
  } finally {
    await client.end();
  }
}
