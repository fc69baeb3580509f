import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An event as a script writes it: the server gives it its `processed_at`, and an `id` unless it has one. */
export type ScriptedEvent = { type: string } & Record<string, unknown>;

export type ScriptBeat =
  /** Events the runtime processes together. */
  | { events: ScriptedEvent[] }
  /** A server-sent event whose data is not JSON (stream only: the history never holds it). */
  | { raw: string }
  /** Every open event stream drops, as a broken connection would. */
  | { breakStreams: true };

/** What one session does once it starts: its events, one beat every `beatMs`, and the files it leaves. */
export interface SessionScript {
  beats: ScriptBeat[];
  beatMs?: number;
  /** Files in `/mnt/session/outputs/` once the last beat is out (none when the session is interrupted first). */
  outputs?: { filename: string; bytes: Uint8Array }[];
}

export interface FakeSession {
  id: string;
  agentId: string;
  createdAt: string;
  status: 'running' | 'idle' | 'terminated';
  title: string | null;
  metadata: Record<string, string>;
  /** The text of the session's first user message: scripts are chosen by it. */
  prompt: string;
  resources: unknown[];
  events: (ScriptedEvent & { id: string; processed_at: string })[];
  /** Stream connections opened on it, all told. */
  streamsOpened: number;
  interrupted: boolean;
}

export interface ManagedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface FakeManagedAgentsServer {
  /** `http://127.0.0.1:<port>`: the SDK's `baseURL`. */
  readonly url: string;
  readonly requests: ManagedRequest[];
  readonly sessions: Map<string, FakeSession>;
  /** Chooses each new session's script from its first user message. */
  setScripts(choose: (prompt: string) => SessionScript | undefined): void;
  /** The next `times` requests matching answer with `status` and an API error body. */
  fail(match: { method: string; path: RegExp }, status: number, times?: number): void;
  close(): Promise<void>;
}

interface StoredFile {
  id: string;
  filename: string;
  bytes: Uint8Array;
  scope?: string;
  created_at: string;
}

/**
 * A local server speaking the Managed Agents REST endpoints and the sessions' server-sent event
 * stream, as `@anthropic-ai/sdk`'s `client.beta` calls them: agents, environments, files (upload,
 * list by session, download), sessions, and their events (send, list with pages, stream). Each
 * session plays a script on its own clock, whether or not anyone is connected, as the runtime
 * does; `user.interrupt` stops it.
 */
export async function startFakeManagedAgentsServer(): Promise<FakeManagedAgentsServer> {
  const requests: ManagedRequest[] = [];
  const sessions = new Map<string, FakeSession>();
  const agents = new Map<string, Record<string, unknown>>();
  const environments = new Map<string, Record<string, unknown>>();
  const files = new Map<string, StoredFile>();
  const streams = new Map<string, Set<ServerResponse>>();
  const timers = new Set<NodeJS.Timeout>();
  const failures: { method: string; path: RegExp; status: number; times: number }[] = [];
  let choose: (prompt: string) => SessionScript | undefined = () => undefined;
  let counter = 0;
  const clockStart = Date.parse('2026-01-01T00:00:00.000Z');
  const nextId = (prefix: string) => `${prefix}_fake${String(++counter).padStart(6, '0')}`;
  const now = () => new Date(clockStart + counter * 1_000 + (Date.now() % 1_000)).toISOString();

  const emit = (session: FakeSession, events: ScriptedEvent[]) => {
    for (const scripted of events) {
      const event = { ...scripted, id: typeof scripted['id'] === 'string' ? scripted['id'] : nextId('sevt'), processed_at: now() };
      session.events.push(event);
      if (event.type === 'session.status_idle') session.status = 'idle';
      if (event.type === 'session.status_running') session.status = 'running';
      if (event.type === 'session.status_terminated') session.status = 'terminated';
      for (const res of streams.get(session.id) ?? []) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    }
  };

  const play = (session: FakeSession, script: SessionScript) => {
    let beat = 0;
    const tick = () => {
      if (session.interrupted) return;
      const next = script.beats[beat];
      // A break breaks the stream the client has open: while it has none (it is still reconnecting
      // after an earlier break), the break waits for it, so how many streams a script breaks does
      // not depend on how fast the client reconnects.
      if (next && 'breakStreams' in next && (streams.get(session.id)?.size ?? 0) === 0) {
        const timer = setTimeout(tick, script.beatMs ?? 20);
        timers.add(timer);
        return;
      }
      beat++;
      if (!next) {
        for (const out of script.outputs ?? []) {
          const id = nextId('file');
          files.set(id, { id, filename: out.filename, bytes: out.bytes, scope: session.id, created_at: now() });
        }
        return;
      }
      if ('events' in next) emit(session, next.events);
      else if ('raw' in next) for (const res of streams.get(session.id) ?? []) res.write(`event: agent.message\ndata: ${next.raw}\n\n`);
      else for (const res of streams.get(session.id) ?? []) res.destroy();
      const timer = setTimeout(tick, script.beatMs ?? 20);
      timers.add(timer);
    };
    const timer = setTimeout(tick, script.beatMs ?? 20);
    timers.add(timer);
  };

  const routes: { method: string; path: RegExp; handle: (m: RegExpExecArray, req: ManagedRequest, res: ServerResponse, raw: Buffer, http: IncomingMessage) => void }[] = [
    { method: 'POST', path: /^\/v1\/agents$/, handle: (_m, req, res) => {
      const body = req.body as Record<string, unknown>;
      const agent = { ...body, id: nextId('agent'), type: 'agent', version: 1, metadata: body['metadata'] ?? {}, archived_at: null, created_at: now(), updated_at: now() };
      agents.set(agent.id, agent);
      json(res, 200, agent);
    } },
    { method: 'GET', path: /^\/v1\/agents$/, handle: (_m, _req, res) => json(res, 200, { data: [...agents.values()], next_page: null }) },
    { method: 'POST', path: /^\/v1\/agents\/([^/]+)$/, handle: (m, req, res) => {
      const agent = agents.get(m[1]);
      if (!agent) return apiError(res, 404, 'not_found_error', `no agent ${m[1]}`);
      const updated = { ...agent, ...(req.body as object), version: (agent['version'] as number) + 1, updated_at: now() };
      agents.set(m[1], updated);
      json(res, 200, updated);
    } },
    { method: 'POST', path: /^\/v1\/environments$/, handle: (_m, req, res) => {
      const body = req.body as Record<string, unknown>;
      if ([...environments.values()].some((e) => e['name'] === body['name'])) return apiError(res, 409, 'conflict_error', 'an environment with this name exists');
      const env = { ...body, id: nextId('env'), type: 'environment', archived_at: null, metadata: body['metadata'] ?? {}, created_at: now(), updated_at: now() };
      environments.set(env.id, env);
      json(res, 200, env);
    } },
    { method: 'GET', path: /^\/v1\/environments$/, handle: (_m, _req, res) => json(res, 200, { data: [...environments.values()], next_page: null }) },
    { method: 'POST', path: /^\/v1\/files$/, handle: (_m, _req, res, raw, http) => {
      const part = multipartFile(raw, http.headers['content-type'] ?? '');
      if (!part) return apiError(res, 400, 'invalid_request_error', 'expected a multipart body with a "file" part');
      const file: StoredFile = { id: nextId('file'), filename: part.filename, bytes: part.bytes, created_at: now() };
      files.set(file.id, file);
      json(res, 200, metadata(file));
    } },
    { method: 'GET', path: /^\/v1\/files$/, handle: (_m, req, res) => {
      const scope = req.query.get('scope_id');
      json(res, 200, { data: [...files.values()].filter((f) => !scope || f.scope === scope).map(metadata), next_page: null });
    } },
    { method: 'GET', path: /^\/v1\/files\/([^/]+)\/content$/, handle: (m, _req, res) => {
      const file = files.get(m[1]);
      if (!file) return apiError(res, 404, 'not_found_error', `no file ${m[1]}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from(file.bytes));
    } },
    { method: 'POST', path: /^\/v1\/sessions$/, handle: (_m, req, res) => {
      const body = req.body as { agent?: string | { id: string }; title?: string; metadata?: Record<string, string>; resources?: unknown[]; initial_events?: ScriptedEvent[] };
      const initial = body.initial_events ?? [];
      const prompt = initial.filter((e) => e.type === 'user.message').flatMap((e) => (e['content'] as { text?: string }[]).map((b) => b.text ?? '')).join('\n');
      const session: FakeSession = {
        id: nextId('sesn'), createdAt: new Date().toISOString(), agentId: typeof body.agent === 'string' ? body.agent : body.agent?.id ?? '', status: 'idle', title: body.title ?? null, metadata: body.metadata ?? {}, prompt, resources: body.resources ?? [], events: [],
        streamsOpened: 0, interrupted: false,
      };
      sessions.set(session.id, session);
      if (initial.length > 0) {
        emit(session, [...initial, { type: 'session.status_running' }]);
        const script = choose(prompt);
        if (script) play(session, script);
      }
      json(res, 200, sessionBody(session));
    } },
    { method: 'GET', path: /^\/v1\/sessions$/, handle: (_m, req, res) => {
      const agent = req.query.get('agent_id');
      const found = [...sessions.values()].filter((s) => !agent || s.agentId === agent).reverse();
      json(res, 200, { data: found.map(sessionBody), next_page: null, prev_page: null });
    } },
    { method: 'GET', path: /^\/v1\/sessions\/([^/]+)$/, handle: (m, _req, res) => {
      const session = sessions.get(m[1]);
      return session ? json(res, 200, sessionBody(session)) : apiError(res, 404, 'not_found_error', `no session ${m[1]}`);
    } },
    { method: 'POST', path: /^\/v1\/sessions\/([^/]+)$/, handle: (m, req, res) => {
      const session = sessions.get(m[1]);
      if (!session) return apiError(res, 404, 'not_found_error', `no session ${m[1]}`);
      const patch = (req.body as { metadata?: Record<string, string | null> }).metadata ?? {};
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete session.metadata[key];
        else session.metadata[key] = value;
      }
      json(res, 200, sessionBody(session));
    } },
    { method: 'GET', path: /^\/v1\/sessions\/([^/]+)\/events\/stream$/, handle: (m, _req, res) => {
      const session = sessions.get(m[1]);
      if (!session) return apiError(res, 404, 'not_found_error', `no session ${m[1]}`);
      session.streamsOpened++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': connected\n\n');
      const open = streams.get(session.id) ?? new Set<ServerResponse>();
      streams.set(session.id, open.add(res));
      res.on('close', () => open.delete(res));
    } },
    { method: 'GET', path: /^\/v1\/sessions\/([^/]+)\/events$/, handle: (m, req, res) => {
      const session = sessions.get(m[1]);
      if (!session) return apiError(res, 404, 'not_found_error', `no session ${m[1]}`);
      const since = req.query.get('created_at[gte]');
      const all = session.events.filter((e) => !since || e.processed_at >= since);
      const limit = Number(req.query.get('limit') ?? 1_000);
      const start = Number(req.query.get('page') ?? 0);
      const page = all.slice(start, start + limit);
      json(res, 200, { data: page, next_page: start + limit < all.length ? String(start + limit) : null });
    } },
    { method: 'POST', path: /^\/v1\/sessions\/([^/]+)\/events$/, handle: (m, req, res) => {
      const session = sessions.get(m[1]);
      if (!session) return apiError(res, 404, 'not_found_error', `no session ${m[1]}`);
      const sent = ((req.body as { events?: ScriptedEvent[] }).events ?? []);
      emit(session, sent);
      if (sent.some((e) => e.type === 'user.interrupt') && !session.interrupted) {
        session.interrupted = true;
        emit(session, [{ type: 'session.status_idle', stop_reason: { type: 'end_turn' }, stop_details: null }]);
      }
      json(res, 200, { data: session.events.slice(-sent.length) });
    } },
  ];

  const server = createServer((http, res) => {
    const chunks: Buffer[] = [];
    http.on('data', (chunk: Buffer) => chunks.push(chunk));
    http.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(http.url ?? '/', 'http://fake');
      const isJson = (http.headers['content-type'] ?? '').includes('application/json');
      let body: unknown;
      try {
        body = isJson && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        body = raw.toString('utf8');
      }
      const request: ManagedRequest = { method: http.method ?? 'GET', path: url.pathname, query: url.searchParams, body };
      requests.push(request);
      const failure = failures.find((f) => f.times > 0 && f.method === request.method && f.path.test(request.path));
      if (failure) {
        failure.times--;
        return apiError(res, failure.status, failure.status >= 500 ? 'api_error' : 'invalid_request_error', `fake failure ${failure.status}`);
      }
      for (const route of routes) {
        const match = route.method === request.method ? route.path.exec(request.path) : null;
        if (match) return route.handle(match, request, res, raw, http);
      }
      apiError(res, 404, 'not_found_error', `no route ${request.method} ${request.path}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    sessions,
    setScripts: (next) => {
      choose = next;
    },
    fail: (match, status, times = 1) => {
      failures.push({ ...match, status, times });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function sessionBody(session: FakeSession) {
  return {
    id: session.id, type: 'session', status: session.status, title: session.title, metadata: session.metadata, resources: session.resources,
    archived_at: null, budget: null, created_at: session.createdAt, updated_at: session.createdAt, environment_id: 'env', vault_ids: [],
    outcome_evaluations: [], stats: {}, usage: {},
  };
}

function metadata(file: StoredFile) {
  return {
    id: file.id, type: 'file', filename: file.filename, mime_type: 'application/octet-stream', size_bytes: file.bytes.length, created_at: file.created_at,
    downloadable: file.scope !== undefined, ...(file.scope ? { scope: { type: 'session', id: file.scope } } : {}),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${Date.now()}` });
  res.end(JSON.stringify(body));
}

function apiError(res: ServerResponse, status: number, type: string, message: string): void {
  json(res, status, { type: 'error', error: { type, message } });
}

/** The `file` part of a multipart/form-data body. */
function multipartFile(raw: Buffer, contentType: string): { filename: string; bytes: Uint8Array } | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) return undefined;
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    if (/name="file"/.test(headers)) {
      return { filename: /filename="([^"]*)"/.exec(headers)?.[1] ?? 'unnamed', bytes: new Uint8Array(part.subarray(headerEnd + 4)) };
    }
    start = next;
  }
  return undefined;
}
