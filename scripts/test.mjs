#!/usr/bin/env node
// `npm test`: make NATS and PostgreSQL available, then run Jest against them. Extra arguments go to Jest.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describeServices, ensureServices, REPO_ROOT } from './services.mjs';

let services;
try {
  services = await ensureServices({ containers: true });
} catch (err) {
  process.stderr.write(`npm test: NATS and PostgreSQL are needed for the integration tests.\n${err.message}\n`);
  process.exit(1);
}
process.stderr.write(`npm test: ${describeServices(services)}\n`);

const args = process.argv.slice(2);
if (process.env.CI && !args.includes('--ci')) args.unshift('--ci');
// Most suites wait on NATS, PostgreSQL and child processes, so two run at once even on two cores
// (Jest's default there is one at a time).
if (!args.some((a) => /^(--maxWorkers|-w|--runInBand|-i$)/.test(a))) args.unshift(`--maxWorkers=${Math.max(2, availableParallelism() - 1)}`);
// In CI a handle some test left open must not hang the run past its time limit; Jest still names it.
if (process.env.CI && !args.includes('--forceExit')) args.unshift('--forceExit');
// Jest writes its results as JSON too, so the run can end on one plain summary line.
const resultsFile = path.join(REPO_ROOT, '.data', 'jest-results.json');
mkdirSync(path.dirname(resultsFile), { recursive: true });
rmSync(resultsFile, { force: true });
args.push('--json', `--outputFile=${resultsFile}`);
const jest = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'jest'), args, {
  cwd: REPO_ROOT,
  stdio: 'inherit',
  env: { ...process.env, NATS_URL: services.natsUrl, DATABASE_URL: services.databaseUrl },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => jest.kill(signal));
jest.on('exit', (code, signal) => {
  if (existsSync(resultsFile)) {
    const { numPassedTests, numFailedTests, numPendingTests } = JSON.parse(readFileSync(resultsFile, 'utf8'));
    process.stdout.write(`\n${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests} skipped\n`);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
