import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { LoopMetrics } from '@loopwright/service';

/**
 * docker-compose.yml, k8s/ and deploy/ cannot be run here (no Docker engine, no cluster): this checks
 * what can be checked without them — that they parse, and that they keep the promises of ARCHITECTURE.md.
 */
const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const APPS = ['executor', 'grader', 'router', 'miner', 'console'] as const;
const IDENTITY: Record<(typeof APPS)[number], string> = {
  executor: 'executor', grader: 'grader', router: 'router', miner: 'miner', console: 'console',
};

/** The config without its comments, so that a comment mentioning an option does not count as setting it. */
const uncommented = (natsConfig: string) => natsConfig.split('\n').filter((line) => !line.trim().startsWith('#')).join('\n');
const syncsAlways = (natsConfig: string) => /jetstream\s*\{[^}]*\bsync_interval\s*:\s*always\b[^}]*\}/.test(uncommented(natsConfig));

function yamlDocuments(file: string): unknown[] {
  return parseAllDocuments(read(file), { merge: true }).map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS();
  });
}

function filesUnder(dir: string, extensions: string[]): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const file = `${dir}/${name}`;
    if (statSync(path.join(ROOT, file)).isDirectory()) return filesUnder(file, extensions);
    return extensions.some((ext) => name.endsWith(ext)) ? [file] : [];
  });
}

interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { limits?: { cpu?: string; memory?: string } };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: { replicas?: number; template?: { spec: { containers: Container[] } } };
  stringData?: Record<string, string>;
}

describe('docker-compose.yml', () => {
  const [compose] = yamlDocuments('docker-compose.yml') as {
    services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: string[] }>;
  }[];

  it('brings up NATS, PostgreSQL, every service, Prometheus and Grafana', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['nats', 'postgres', ...APPS, 'prometheus', 'grafana']));
  });

  it.each(APPS)('runs %s from its TypeScript entry point as its own NATS user', (app) => {
    const service = compose.services[app];
    expect(service.command).toEqual(['node', '--require', '@swc-node/register', `apps/${app}/src/main.ts`]);
    expect(service.environment?.LOOPWRIGHT_NATS_USER).toBe(IDENTITY[app]);
    expect(service.environment?.NATS_URL).toBe('nats://nats:4222');
  });

  it('gives the grader its own model key and the executor none of it', () => {
    expect(Object.keys(compose.services.grader.environment ?? {})).toContain('GRADER_ANTHROPIC_API_KEY');
    expect(Object.keys(compose.services.grader.environment ?? {})).not.toContain('ANTHROPIC_API_KEY');
    expect(Object.keys(compose.services.executor.environment ?? {})).toContain('ANTHROPIC_API_KEY');
    expect(Object.keys(compose.services.executor.environment ?? {})).not.toContain('GRADER_ANTHROPIC_API_KEY');
  });

  it('runs NATS with a config that fsyncs every write', () => {
    const command = compose.services.nats.command ?? [];
    const configPath = command[command.indexOf('-c') + 1];
    const mount = (compose.services.nats.volumes ?? []).map((v) => v.split(':')).find(([, target]) => configPath.startsWith(`${target}/`));
    expect(mount).toBeDefined();
    const hostFile = path.join(mount![0], path.relative(mount![1], configPath));
    expect(syncsAlways(read(hostFile))).toBe(true);
  });

  it('parses the Prometheus and Grafana provisioning files it mounts', () => {
    for (const file of ['deploy/prometheus/prometheus.yml', ...filesUnder('deploy/grafana/provisioning', ['.yml', '.yaml'])]) {
      expect(yamlDocuments(file).length).toBeGreaterThan(0);
    }
  });
});

describe('the development NATS config', () => {
  it('leaves sync_interval out, which the nats-server 2.9 of development machines does not know', () => {
    expect(uncommented(read('deploy/nats/loopwright.conf'))).not.toMatch(/sync_interval/);
    expect(syncsAlways(read('deploy/nats/loopwright.deploy.conf'))).toBe(true);
  });
});

describe('k8s/', () => {
  const files = filesUnder('k8s', ['.yaml', '.yml']);
  // An overlay's JSON patches (a list of operations) are not manifests.
  const manifests = files
    .filter((f) => !f.endsWith('kustomization.yaml'))
    .flatMap((f) => yamlDocuments(f))
    .filter((doc) => !Array.isArray(doc)) as Manifest[];
  const workloads = manifests.filter((m) => ['Deployment', 'StatefulSet'].includes(m.kind));
  const deployments = manifests.filter((m) => m.kind === 'Deployment');

  it('parses every manifest', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const manifest of manifests) expect(manifest.kind).toEqual(expect.any(String));
  });

  it('lists only files that exist in the kustomization', () => {
    const [kustomization] = yamlDocuments('k8s/base/kustomization.yaml') as {
      resources: string[]; configMapGenerator: { files: string[] }[];
    }[];
    const listed = [...kustomization.resources, ...kustomization.configMapGenerator.flatMap((g) => g.files)];
    for (const file of listed) expect(existsSync(path.join(ROOT, 'k8s/base', file))).toBe(true);
    const manifestFiles = files.filter((f) => f.startsWith('k8s/base/') && !f.endsWith('kustomization.yaml'));
    expect(manifestFiles.map((f) => path.relative('k8s/base', f)).sort()).toEqual([...kustomization.resources].sort());
  });

  it('has a Deployment per service', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...APPS].sort());
  });

  it.each(APPS)('probes %s on /health and limits its resources', (app) => {
    const [container] = deployments.find((d) => d.metadata.name === app)!.spec!.template!.spec.containers;
    expect(container.livenessProbe?.httpGet?.path).toBe('/health');
    expect(container.readinessProbe?.httpGet?.path).toBe('/health');
    expect(container.resources?.limits?.cpu).toEqual(expect.any(String));
    expect(container.resources?.limits?.memory).toEqual(expect.any(String));
  });

  it('probes and limits every container of every workload', () => {
    for (const workload of workloads) {
      for (const container of workload.spec!.template!.spec.containers) {
        expect({ workload: workload.metadata.name, liveness: !!container.livenessProbe, readiness: !!container.readinessProbe })
          .toEqual({ workload: workload.metadata.name, liveness: true, readiness: true });
        expect(container.resources?.limits).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
      }
    }
  });

  it.each(APPS)('connects %s to NATS as its own identity', (app) => {
    const [container] = deployments.find((d) => d.metadata.name === app)!.spec!.template!.spec.containers;
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
    expect(env.LOOPWRIGHT_NATS_USER.value).toBe(IDENTITY[app]);
    expect(env.LOOPWRIGHT_NATS_PASSWORD.valueFrom?.secretKeyRef).toEqual({ name: 'loopwright-nats-users', key: IDENTITY[app] });
  });

  it('keeps the grader\'s model key in a Secret of its own that only the grader reads', () => {
    const secrets = manifests.filter((m) => m.kind === 'Secret');
    const holding = (key: string) => secrets.filter((s) => key in (s.stringData ?? {})).map((s) => s.metadata.name);
    expect(holding('GRADER_ANTHROPIC_API_KEY')).toHaveLength(1);
    expect(holding('ANTHROPIC_API_KEY')).toHaveLength(1);
    expect(holding('GRADER_ANTHROPIC_API_KEY')[0]).not.toBe(holding('ANTHROPIC_API_KEY')[0]);
    const readers = (secret: string) => deployments
      .filter((d) => d.spec!.template!.spec.containers.some((c) => (c.env ?? []).some((e) => e.valueFrom?.secretKeyRef?.name === secret)))
      .map((d) => d.metadata.name);
    expect(readers(holding('GRADER_ANTHROPIC_API_KEY')[0])).toEqual(['grader']);
    expect(readers(holding('ANTHROPIC_API_KEY')[0])).toEqual(['executor']);
  });

  it('runs NATS as a three-node JetStream cluster that fsyncs every write', () => {
    const nats = manifests.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'nats');
    expect(nats?.spec?.replicas).toBe(3);
    expect(syncsAlways(read('k8s/base/nats/nats.conf'))).toBe(true);
    expect(uncommented(read('k8s/base/nats/nats.conf'))).toMatch(/cluster\s*\{/);
    expect(read('k8s/base/nats/stream-init-job.yaml')).toMatch(/stream add LOOP .*--replicas 3/);
  });

  it('holds the same NATS permissions as deploy/nats', () => {
    expect(read('k8s/base/nats/permissions.conf')).toBe(read('deploy/nats/permissions.conf'));
  });
});

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/loopwright.json')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };

  it('shows tier share, frontier share trend, cost per run, pass rate, rule promotions and consumer lag', () => {
    expect(dashboard.panels.map((p) => p.title)).toEqual(expect.arrayContaining([
      'Tier share of decisions', 'Frontier share trend', 'Cost per task', 'Pass rate by role', 'Rule promotions', 'Consumer lag',
    ]));
  });

  it('queries only metrics the services export', async () => {
    const exported = (await new LoopMetrics('test').registry.getMetricsAsJSON()).flatMap((m) =>
      String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name]);
    const queried = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\bloopwright_\w+/g) ?? []));
    expect(queried.length).toBeGreaterThan(0);
    for (const metric of new Set(queried)) expect(exported).toContain(metric);
  });
});
