#!/usr/bin/env node
// A Claude Code hook that imports the session into the Loopwright log when it ends.
//
// Register it for `SessionEnd` in `.claude/settings.json` (see README, "Importing agent transcripts"):
//   { "hooks": { "SessionEnd": [{ "hooks": [{ "type": "command",
//       "command": "node <loopwright checkout>/scripts/claude-code-hook.mjs" }] }] } }
//
// Claude Code passes the hook's input as JSON on stdin: session_id, transcript_path, cwd and
// hook_event_name. The import reads NATS_URL (and LOOP_STREAM, LOOP_SUBJECT_ROOT) like the
// `loopwright` command. The goal's scope comes from LOOPWRIGHT_IMPORT_GOAL (a YAML goal file),
// else from `.loopwright/import-goal.yaml` in the session's working directory, else the defaults.
//
// A `Stop` hook fires after every answer of an interactive session; each import of a grown
// transcript would be a run of its own, so `Stop` is imported only with LOOPWRIGHT_IMPORT_ON_STOP=1
// (for `claude -p` runs, which answer once).
//
// The hook never exits 2: for Claude Code that would block the session and hand the error to the
// model. A failed import exits 1 and says why on stderr; importing again later adds what is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOOPWRIGHT = path.join(REPO_ROOT, 'bin', 'loopwright.js');

function fail(message) {
  process.stderr.write(`loopwright hook: ${message}\n`);
  process.exit(1);
}

let input;
try {
  input = JSON.parse(readFileSync(0, 'utf8'));
} catch (error) {
  fail(`the hook input on stdin is not JSON (${error.message}); register this script as a Claude Code hook`);
}
const { transcript_path: transcript, hook_event_name: event, cwd } = input ?? {};
if (event !== 'SessionEnd' && event !== 'Stop') fail(`register this hook for SessionEnd (or Stop), not ${event ?? 'an unnamed event'}`);
if (event === 'Stop' && process.env.LOOPWRIGHT_IMPORT_ON_STOP !== '1') process.exit(0);
if (typeof transcript !== 'string' || !existsSync(transcript)) fail(`no transcript at ${transcript ?? '(none given)'}`);

const projectGoal = typeof cwd === 'string' ? path.join(cwd, '.loopwright', 'import-goal.yaml') : undefined;
const goal = process.env.LOOPWRIGHT_IMPORT_GOAL || (projectGoal && existsSync(projectGoal) ? projectGoal : undefined);
const args = [LOOPWRIGHT, 'import', transcript, '--format', 'claude-code', '--no-progress', ...(goal ? ['--goal', goal] : [])];
const result = spawnSync(process.execPath, args, { encoding: 'utf8', env: process.env });
if (result.status !== 0) fail(`the import of ${transcript} failed (exit ${result.status}):\n${result.stderr || result.stdout}`);
process.stderr.write(result.stdout);
