'use strict';
// Preloaded into a service process through NODE_OPTIONS="--require <this file>" (Node 20 does not
// accept --cpu-prof there). The benchmark steers it with files, not signals (Nest's
// enableShutdownHooks() shuts the service down on SIGUSR2): when `<dir>/start` appears the V8 CPU
// profiler starts; when `<dir>/stop` appears it stops and writes `<dir>/<name>.cpuprofile`. So a
// benchmark profiles only its measured phase. Summarize with bench/tools/cpu-profile-summary.ts.
const { Session } = require('node:inspector');
const { existsSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const dir = process.env.LOOP_BENCH_PROFILE_DIR;
const name = process.env.LOOP_BENCH_PROFILE_NAME || `pid-${process.pid}`;
// The sandbox gives commands a scrubbed environment; clear these anyway so no child profiles itself.
delete process.env.LOOP_BENCH_PROFILE_DIR;
delete process.env.NODE_OPTIONS;

if (dir) {
  const session = new Session();
  session.connect();
  let state = 'waiting';
  const timer = setInterval(() => {
    if (state === 'waiting' && existsSync(path.join(dir, 'start'))) {
      state = 'running';
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')),
      );
    } else if (state === 'running' && existsSync(path.join(dir, 'stop'))) {
      state = 'done';
      clearInterval(timer);
      session.post('Profiler.stop', (error, result) => {
        if (error) console.error(`profiler: ${error.message}`);
        else {
          // Written under another name first: the benchmark waits for the final name to appear.
          writeFileSync(path.join(dir, `${name}.partial`), JSON.stringify(result.profile));
          renameSync(path.join(dir, `${name}.partial`), path.join(dir, `${name}.cpuprofile`));
        }
        session.disconnect();
      });
    }
  }, 50);
  timer.unref();
}
