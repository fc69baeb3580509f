import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

export const ROOT = path.resolve(__dirname, '../../..');
const run = promisify(execFile);

export interface Labels { [key: string]: string }
export interface Selector { matchLabels?: Labels }
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- each kind's spec differs; tests read what they check
  data?: Record<string, string>;
}

/** Every folder under k8s/ that holds a kustomization (the base and each overlay), relative to the repository. */
export function kustomizations(dir = 'k8s'): string[] {
  const here = existsSync(path.join(ROOT, dir, 'kustomization.yaml')) ? [dir] : [];
  const below = readdirSync(path.join(ROOT, dir))
    .filter((name) => statSync(path.join(ROOT, dir, name)).isDirectory())
    .flatMap((name) => kustomizations(`${dir}/${name}`));
  return [...here, ...below];
}

/** The objects `kubectl kustomize` renders for a kustomization folder. */
export async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', path.join(ROOT, dir)], { maxBuffer: 32 * 1024 * 1024 }).catch((err: Error & { code?: string; stderr?: string }) => {
    if (err.code === 'ENOENT') throw new Error("kubectl is not installed: apt-get install -y kubernetes-client (Debian's kubectl), then run the test again");
    throw new Error(`kubectl kustomize ${dir} failed:\n${err.stderr}`);
  });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as K8sObject).filter(Boolean);
}

export interface SchemaReport { objects: number; problems: { object: string; errors: string[] }[] }

/** Validates objects offline against the Kubernetes API schemas (scripts/validate-k8s.mjs). */
export async function validate(yamlText: string): Promise<{ exitCode: number; report: SchemaReport }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [path.join(ROOT, 'scripts/validate-k8s.mjs')], { cwd: ROOT }, (err, stdout, stderr) => {
      const exitCode = err ? Number((err as { code?: number }).code) : 0;
      try {
        resolve({ exitCode, report: JSON.parse(stdout) as SchemaReport });
      } catch {
        reject(new Error(`validate-k8s printed no report (exit ${exitCode}):\n${stderr}`));
      }
    });
    child.stdin!.end(yamlText);
  });
}

export const selects = (selector: Selector | undefined, labels: Labels): boolean =>
  Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);

export const podLabels = (workload: K8sObject): Labels => workload.spec.template.metadata.labels;
