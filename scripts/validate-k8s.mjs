#!/usr/bin/env node
// Validates rendered Kubernetes objects against the Kubernetes API schemas, offline:
//
//   kubectl kustomize k8s/overlays/production | node scripts/validate-k8s.mjs
//
// The schemas are those the kubernetes-models packages ship (the core API and KEDA's CRDs). Prints one
// JSON object: { objects, problems: [{ object, errors }] }; exits 1 when any object is invalid and 2 when
// an object has a kind no schema covers.
import { parseAllDocuments } from 'yaml';

const MODEL_PACKAGES = { 'keda.sh': '@kubernetes-models/keda' };

/** The module that holds the schema of `apiVersion`/`kind`: `kubernetes-models/apps/v1/Deployment`. */
export function modelModule(apiVersion, kind) {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const pkg = MODEL_PACKAGES[group] ?? 'kubernetes-models';
  return `${pkg}/${apiVersion}/${kind}`;
}

/** The schema's complaints about one object, each as `path: message`; empty when it is valid. */
export async function schemaErrors(object) {
  let model;
  try {
    model = await import(modelModule(object.apiVersion, object.kind));
  } catch (err) {
    if (['ERR_PACKAGE_PATH_NOT_EXPORTED', 'ERR_MODULE_NOT_FOUND'].includes(err.code)) return null;
    throw err;
  }
  const Model = model[object.kind];
  try {
    new Model(object).validate();
    return [];
  } catch (err) {
    return err.message.split(', ');
  }
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const objects = parseAllDocuments(Buffer.concat(chunks).toString()).map((d) => d.toJS()).filter(Boolean);
  const problems = [];
  let unknown = false;
  for (const object of objects) {
    const name = `${object.kind}/${object.metadata?.name}`;
    const errors = await schemaErrors(object);
    if (errors === null) {
      unknown = true;
      problems.push({ object: name, errors: [`no schema for ${object.apiVersion} ${object.kind}: add the kubernetes-models package that ships it`] });
    } else if (errors.length) problems.push({ object: name, errors });
  }
  process.stdout.write(`${JSON.stringify({ objects: objects.length, problems })}\n`);
  process.exit(unknown ? 2 : problems.length ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`validate-k8s: ${err.stack}\n`);
  process.exit(2);
});
