import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseOpenHandsV1 } from './formats/openhands-v1';
import { asRecord, ImportedRun, parseJsonDocument, TranscriptError } from './imported-run';
import { decodeText, readRegularFile, TranscriptRefused } from './transcript-text';

/** An event file of an OpenHands SDK conversation: `event-<index>-<event id>.json` (older SDKs: `event-<index>.json`). */
const EVENT_FILE = /^event-(\d{5,})(?:-[0-9A-Fa-f-]{8,})?\.json$/;
/** More events than a conversation holds: a folder with more is refused, not read. */
export const MAX_CONVERSATION_EVENTS = 100_000;

/** True when a folder is an OpenHands SDK (V1) conversation: a `base_state.json` and an `events/` folder, neither a link. */
export async function isOpenHandsConversation(dir: string): Promise<boolean> {
  const [state, events] = await Promise.all([lstat(join(dir, 'base_state.json')).catch(() => null), lstat(join(dir, 'events')).catch(() => null)]);
  return state?.isFile() === true && events?.isDirectory() === true;
}

/**
 * Reads an OpenHands SDK (V1) conversation folder: its event files in index order and its base
 * state, each a regular file read through no link, all together within `maxBytes`. A file of the
 * folder that is not valid JSON is refused, naming it and the line.
 */
export async function readOpenHandsConversation(dir: string, maxBytes: number): Promise<{ runs: ImportedRun[]; bytes: Buffer }> {
  const entries = await readdir(join(dir, 'events'), { withFileTypes: true });
  const named = entries.flatMap((e) => {
    const index = EVENT_FILE.exec(e.name)?.[1];
    return index === undefined ? [] : [{ entry: e, index: BigInt(index) }];
  });
  if (named.length > MAX_CONVERSATION_EVENTS) throw new TranscriptRefused(dir, 0, `more than ${MAX_CONVERSATION_EVENTS} events: refusing to read them all`);
  named.sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : a.entry.name.localeCompare(b.entry.name)));
  let left = maxBytes;
  const tooBig = `the conversation's files come to more than the {left} left of the ${Math.round(maxBytes / (1024 * 1024))} MB limit: import a shorter conversation`;
  const read = async (path: string): Promise<{ value: unknown; bytes: Buffer } | null> => {
    const bytes = await readRegularFile(path, left, tooBig);
    if (!bytes) return null;
    left -= bytes.length;
    try {
      return { value: parseJsonDocument(decodeText(path, bytes), 'the event'), bytes };
    } catch (error) {
      if (error instanceof TranscriptError) throw new TranscriptRefused(path, error.line, error.problem);
      throw error;
    }
  };
  const state = await read(join(dir, 'base_state.json'));
  const baseState = asRecord(state?.value);
  if (state && !baseState) throw new TranscriptRefused(join(dir, 'base_state.json'), 1, 'not a JSON object: is this an OpenHands conversation?');
  const events: unknown[] = [];
  const bytes: Buffer[] = state ? [state.bytes] : [];
  for (const { entry } of named) {
    const event = await read(join(dir, 'events', entry.name));
    if (!event) continue;
    if (!asRecord(event.value)) throw new TranscriptRefused(join(dir, 'events', entry.name), 1, 'an event is a JSON object; this file holds something else');
    events.push(event.value);
    bytes.push(event.bytes);
  }
  if (events.length === 0) throw new TranscriptRefused(join(dir, 'events'), 0, 'no event files (event-<index>-<id>.json): nothing to import');
  return { runs: parseOpenHandsV1(events, baseState, { name: basename(dir) }), bytes: Buffer.concat(bytes) };
}
