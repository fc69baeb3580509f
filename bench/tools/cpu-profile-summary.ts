import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printTable, Row } from '../support/results';

/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time,
 * and self time per package or source folder. Usage: cpu-profile-summary.ts <file> [top=25]
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = path.resolve(__dirname, '..', '..');

/** `node_modules/<pkg>` (scoped too), a workspace folder (`libs/projections`), or the V8 pseudo-frame. */
function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const file = url.replace(/^file:\/\//, '');
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (modules) return modules[1];
  if (file.startsWith('node:')) return 'node internals';
  const relative = path.relative(ROOT, file);
  return relative.startsWith('..') ? file : relative.split(path.sep).slice(0, 2).join('/');
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const byFunction = new Map<string, { us: number; place: string }>();
  const byPlace = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const place = placeOf(url, functionName);
    const key = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    const entry = byFunction.get(key) ?? { us: 0, place };
    entry.us += us;
    byFunction.set(key, entry);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((us / totalUs) * 1000) / 10;
  const functions: Row[] = [...byFunction]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, top)
    .map(([fn, { us, place }]) => ({ function: fn, where: place, 'self ms': Math.round(us / 1000), 'self %': pct(us) }));
  const places: Row[] = [...byPlace]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([place, us]) => ({ where: place, 'self ms': Math.round(us / 1000), 'self %': pct(us) }));
  console.log(`${path.basename(file)}: ${Math.round(totalUs / 1000)} ms sampled`);
  printTable('Self time by package or folder', places);
  printTable(`Top ${top} functions by self time`, functions);
}

main();
