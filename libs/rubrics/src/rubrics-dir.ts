import { resolve } from 'node:path';

/** `<repo>/rubrics`, found from this library's own location in the repository. */
export function defaultRubricsDir(): string {
  return resolve(__dirname, '..', '..', '..', 'rubrics');
}
