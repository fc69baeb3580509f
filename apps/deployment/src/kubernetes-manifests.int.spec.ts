import { readFileSync } from 'node:fs';
import path from 'node:path';
import { K8sObject, kustomizations, podLabels, render, ROOT, selects, validate } from './kubernetes-objects';
import { reach } from './network-reach';

/**
 * k8s/ as Kubernetes' own tools see it: every kustomization rendered by `kubectl kustomize`, every rendered
 * object validated against the API schemas offline, and the deployment's promises checked on the rendered objects.
 */
const SERVICES = ['executor', 'grader', 'router', 'miner', 'console'] as const;
const DNS = [
  'namespace kubernetes.io/metadata.name=kube-system pods k8s-app=kube-dns 53/TCP',
  'namespace kubernetes.io/metadata.name=kube-system pods k8s-app=kube-dns 53/UDP',
];

/** The durable consumers a service creates: one per `@EventPattern` of its controller (`<service>-<event type>`). */
function durableConsumers(service: string): string[] {
  const controller = readFileSync(path.join(ROOT, 'apps', service, 'src', `${service}.controller.ts`), 'utf8');
  return [...controller.matchAll(/@EventPattern\('([\w.]+)'\)/g)].map(([, type]) => `${service}-${type.replace(/\./g, '-')}`).sort();
}

const overlays = kustomizations();

it('finds the base and at least one overlay', () => {
  expect(overlays).toEqual(expect.arrayContaining(['k8s/base', 'k8s/overlays/production']));
});

describe('the schema validation', () => {
  it('refuses an object that breaks its schema, and a kind it has no schema for', async () => {
    const broken = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: broken }\nspec:\n  replicas: two\n  selector: {}\n  template: { spec: { containers: [{ name: c }] } }',
      'apiVersion: example.com/v1\nkind: Unheard\nmetadata: { name: unheard }',
    ].join('\n---\n');
    const { exitCode, report } = await validate(broken);
    expect(exitCode).toBe(2);
    expect(report.problems).toEqual([
      { object: 'Deployment/broken', errors: [expect.stringContaining('spec/replicas must be integer')] },
      { object: 'Unheard/unheard', errors: [expect.stringContaining('no schema for example.com/v1 Unheard')] },
    ]);
  });
});

describe.each(overlays)('%s, rendered by kubectl kustomize', (dir) => {
  let objects: K8sObject[];
  const all = (kind: string) => objects.filter((o) => o.kind === kind);
  const one = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`${dir} renders no ${kind} ${name}`);
    return found;
  };
  const container = (name: string) => one('Deployment', name).spec.template.spec.containers[0];

  beforeAll(async () => {
    objects = await render(dir);
  });

  it('validates against the Kubernetes API schemas', async () => {
    const { exitCode, report } = await validate(objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    expect(report).toEqual({ objects: objects.length, problems: [] });
    expect(exitCode).toBe(0);
  });

  it('runs NATS as a three-node JetStream cluster that fsyncs every write, with the LOOP stream at R3', () => {
    expect(one('StatefulSet', 'nats').spec.replicas).toBe(3);
    const config = all('ConfigMap').find((c) => c.metadata.name.startsWith('nats-config'))!.data!['nats.conf'];
    const uncommented = config.split('\n').filter((line) => !line.trim().startsWith('#')).join('\n');
    expect(uncommented).toMatch(/jetstream\s*\{[^}]*\bsync_interval\s*:\s*always\b/);
    expect(uncommented.match(/nats:\/\/nats-\d\.nats-cluster:6222/g)).toHaveLength(3);
    const init = one('Job', 'nats-stream-init').spec.template.spec.containers[0].command.join(' ');
    expect(init).toMatch(/stream add LOOP .*--replicas 3/);
    expect(one('PodDisruptionBudget', 'nats').spec.maxUnavailable).toBe(1);
  });

  it.each(SERVICES)('runs %s as a Deployment probed on /health, with requests, limits and a PodDisruptionBudget', (name) => {
    const c = container(name);
    expect(c.command).toEqual(['node', '--require', '@swc-node/register', `apps/${name}/src/main.ts`]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.resources).toEqual({
      requests: { cpu: expect.any(String), memory: expect.any(String) },
      limits: { cpu: expect.any(String), memory: expect.any(String) },
    });
    const env = Object.fromEntries(c.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(env.HOST).toBe('0.0.0.0');
    const budgets = all('PodDisruptionBudget').filter((p) => selects(p.spec.selector, podLabels(one('Deployment', name))));
    expect(budgets.map((b) => b.metadata.name)).toEqual([name]);
  });

  it.each(SERVICES)('runs %s as a non-root user with no privileges', (name) => {
    const pod = one('Deployment', name).spec.template.spec;
    expect(pod.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, runAsUser: expect.any(Number) }));
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(container(name).securityContext).toEqual(expect.objectContaining({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }));
  });

  it.each(SERVICES)('connects %s to NATS as its own user, with its password from the Secret', (name) => {
    const env = Object.fromEntries(container(name).env.map((e: { name: string }) => [e.name, e]));
    expect(env.LOOPWRIGHT_NATS_USER.value).toBe(name);
    expect(env.LOOPWRIGHT_NATS_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'loopwright-nats-users', key: name });
    const users = one('Secret', 'loopwright-nats-users');
    expect(Object.keys((users as unknown as { stringData: object }).stringData)).toContain(name);
    const natsEnv = one('StatefulSet', 'nats').spec.template.spec.containers[0].env as { name: string; valueFrom?: { secretKeyRef: { key: string } } }[];
    const config = all('ConfigMap').find((c) => c.metadata.name.startsWith('nats-config'))!.data!['nats.conf'];
    const passwordVariable = new RegExp(`user: ${name}, password: \\$(\\w+)`).exec(config)?.[1];
    expect(natsEnv.find((e) => e.name === passwordVariable)?.valueFrom?.secretKeyRef.key).toBe(name);
  });

  it.each(SERVICES)('lets %s reach only NATS, PostgreSQL and DNS', (name) => {
    const egress = reach(objects, podLabels(one('Deployment', name)), 'egress');
    const postgres = one('NetworkPolicy', 'services-egress').spec.egress[1].to[0].ipBlock.cidr;
    expect(egress).toEqual([
      ...DNS,
      `ip ${postgres} 5432/TCP`,
      'this namespace pods app.kubernetes.io/name=nats 4222/TCP',
    ].sort());
  });

  it('lets the ingress controller reach the console, and Prometheus every service', () => {
    expect(reach(objects, podLabels(one('Deployment', 'console')), 'ingress')).toEqual([
      'namespace kubernetes.io/metadata.name=ingress-nginx 3000/TCP',
      'namespace kubernetes.io/metadata.name=monitoring 3000/TCP',
    ]);
    for (const name of SERVICES.filter((s) => s !== 'console')) {
      expect(reach(objects, podLabels(one('Deployment', name)), 'ingress')).toEqual(['namespace kubernetes.io/metadata.name=monitoring 3000/TCP']);
    }
  });

  it('isolates every pod: a default deny in both directions', () => {
    for (const workload of [...all('Deployment'), ...all('StatefulSet'), ...all('Job')]) {
      expect(reach(objects, podLabels(workload) ?? {}, 'egress')).toBeDefined();
      expect(reach(objects, podLabels(workload) ?? {}, 'ingress')).toBeDefined();
    }
  });

  it.each(['executor', 'grader'])('scales %s with KEDA on the lag of each of its durable consumers', (name) => {
    const scaled = one('ScaledObject', name);
    expect(scaled.spec.scaleTargetRef.name).toBe(name);
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(scaled.spec.maxReplicaCount).toBeGreaterThan(scaled.spec.minReplicaCount);
    const triggers = scaled.spec.triggers as { type: string; metadata: Record<string, string> }[];
    expect(new Set(triggers.map((t) => t.type))).toEqual(new Set(['nats-jetstream']));
    expect(triggers.map((t) => t.metadata.consumer).sort()).toEqual(durableConsumers(name));
    for (const { metadata } of triggers) {
      expect(metadata).toEqual(expect.objectContaining({ stream: 'LOOP', account: '$G', lagThreshold: expect.stringMatching(/^\d+$/) }));
      const [host, port] = metadata.natsServerMonitoringEndpoint.split(':');
      const service = one('Service', host.split('.')[0]);
      expect(service.spec.ports.map((p: { port: number }) => p.port)).toContain(Number(port));
    }
    expect(reach(objects, podLabels(one('StatefulSet', 'nats')), 'ingress')).toContain('namespace kubernetes.io/metadata.name=keda 8222/TCP');
  });

  it('puts the console behind an Ingress that routes to its HTTP port', () => {
    const [ingress] = all('Ingress');
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    const service = one('Service', backend.name);
    expect(selects({ matchLabels: service.spec.selector }, podLabels(one('Deployment', 'console')))).toBe(true);
    const servicePort = service.spec.ports.find((p: { name: string }) => p.name === backend.port.name);
    expect(container('console').ports.map((p: { name: string }) => p.name)).toContain(servicePort.targetPort);
  });
});
