import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
  /** Sent as it is instead of the JSON body: a server-sent event stream, or bytes that are not JSON. */
  raw?: string;
  /** Answers this long after the request, as a slow model would. */
  delayMs?: number;
}

export type FakeHandler = (request: RecordedRequest, index: number) => FakeReply;

export interface FakeJsonServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request to the route, in order. */
  readonly requests: RecordedRequest[];
  /** Replies served in order, one per request; after them the handler answers. */
  reply(...replies: FakeReply[]): void;
  setHandler(handler: FakeHandler): void;
  close(): Promise<void>;
}

/**
 * A local HTTP server on 127.0.0.1 (a free port) that records JSON requests to one route and
 * answers from a queue of replies, then from a handler.
 */
export async function startFakeJsonServer(
  route: string,
  unhandled: FakeHandler,
  /** Last touch on every reply before it is sent, e.g. echoing the requested model. */
  finish: (reply: FakeReply, request: RecordedRequest) => FakeReply = (reply) => reply,
): Promise<FakeJsonServer> {
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  let handler: FakeHandler = unhandled;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'POST' || path !== route) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `no route ${req.method} ${path}` }));
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      const request: RecordedRequest = { method: req.method, path, headers: req.headers, body };
      requests.push(request);
      const reply = finish(queue.shift() ?? handler(request, requests.length - 1), request);
      const send = () => {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.raw ?? JSON.stringify(reply.body));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => queue.push(...replies),
    setHandler: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
