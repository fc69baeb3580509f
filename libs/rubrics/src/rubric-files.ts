import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RubricSource } from './rubric';

export const GOLDEN_SUFFIX = '.golden.yaml';

/** The only file reading of the library: a rubric file and its sibling golden file, if any. */
export function readRubricSource(file: string): RubricSource {
  const goldenFile = file.replace(/\.ya?ml$/, GOLDEN_SUFFIX);
  const text = readFileSync(file, 'utf8');
  if (goldenFile === file || !existsSync(goldenFile)) return { file, text };
  return { file, text, golden: { file: goldenFile, text: readFileSync(goldenFile, 'utf8') } };
}

/** Every YAML file below a directory, rubric and golden files alike, sorted. */
export function listYamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
