import { execFile } from 'node:child_process';
import { TRUSTED_PATH } from './bwrap-arguments';

/**
 * Runs a system tool on the host (not sandboxed) from the trusted PATH, and rejects with its
 * error output when it fails. For the coreutils that walk a tree by file descriptor (chown -R,
 * rm -r): they neither follow a link swapped in mid-walk nor stop at a path too long to name.
 */
export function runHostTool(file: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { PATH: TRUSTED_PATH }, maxBuffer: 64 * 1024 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const shown = stderr.toString().trim().split('\n').slice(0, 3).join('; ').slice(0, 500);
      reject(new Error(`${file} ${args.slice(0, -1).join(' ')} failed: ${shown || error.message}`, { cause: error }));
    });
  });
}
