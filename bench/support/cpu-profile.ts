import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs `work` under the V8 CPU profiler (the same profile `node --cpu-prof` writes, limited to
 * this phase) and writes it to the temp folder; summarize it with bench/tools/cpu-profile-summary.ts.
 */
export async function withCpuProfile<T>(enabled: boolean, name: string, work: () => Promise<T>): Promise<{ result: T; profileFile?: string }> {
  if (!enabled) return { result: await work() };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1_000 });
  await session.post('Profiler.start');
  try {
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    const profileFile = path.join(os.tmpdir(), `${name}-${Date.now()}.cpuprofile`);
    writeFileSync(profileFile, JSON.stringify(profile));
    return { result, profileFile };
  } finally {
    session.disconnect();
  }
}
