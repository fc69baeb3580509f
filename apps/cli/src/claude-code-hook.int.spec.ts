import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { dropTestStream, testLogConfig } from '@loopwright/testing';

const HOOK = path.resolve(__dirname, '../../../scripts/claude-code-hook.mjs');
const SESSION = path.resolve(__dirname, '../../../fixtures/transcripts/claude-code/cc-slugify-clean.jsonl');

describe('the Claude Code hook', () => {
  let config: LogConfig;
  let log: EventLog;
  let project: string;

  beforeAll(async () => {
    const base = testLogConfig('cc-hook');
    config = { ...base, producer: 'miner', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    log = await EventLog.open(config);
    project = mkdtempSync(path.join(tmpdir(), 'lw-hook-'));
  });

  afterAll(async () => {
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
    rmSync(project, { recursive: true, force: true });
  });

  const hook = (input: unknown, env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [HOOK], {
      input: typeof input === 'string' ? input : JSON.stringify(input),
      encoding: 'utf8',
      env: { ...process.env, NATS_URL: config.natsUrl, LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot, ...env },
    });

  it('imports the session when it ends, with the scope of the project\'s import goal', async () => {
    mkdirSync(path.join(project, '.loopwright'));
    writeFileSync(path.join(project, '.loopwright', 'import-goal.yaml'), 'allowedPaths: ["src/**", "test/**"]\ntestCommand: npm test\n');
    const result = hook({ session_id: 's1', transcript_path: SESSION, cwd: project, hook_event_name: 'SessionEnd', reason: 'exit' });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0, stderr: expect.stringMatching(/imported 1, completed 0/) });
    const runId = /\b(imp-[0-9a-f]{32})\b/.exec(result.stderr)![1];
    const [goal] = await log.readRun(runId);
    expect(goal).toMatchObject({ type: 'goal.submitted', data: { backend: 'import', allowedPaths: ['src/**', 'test/**'], testCommand: 'npm test' } });

    const again = hook({ session_id: 's1', transcript_path: SESSION, cwd: project, hook_event_name: 'SessionEnd' });
    expect(again.stderr).toMatch(/already there 1/);
  }, 60_000);

  it('leaves an interactive Stop alone, and never exits 2 (which would block the session)', () => {
    expect(hook({ transcript_path: SESSION, cwd: project, hook_event_name: 'Stop' })).toMatchObject({ status: 0, stderr: '' });
    const missing = hook({ transcript_path: path.join(project, 'gone.jsonl'), cwd: project, hook_event_name: 'SessionEnd' });
    expect(missing).toMatchObject({ status: 1, stderr: expect.stringMatching(/no transcript at .*gone\.jsonl/) });
    expect(hook('not json')).toMatchObject({ status: 1, stderr: expect.stringMatching(/not JSON/) });
  });
});
