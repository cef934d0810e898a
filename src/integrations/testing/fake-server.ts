import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** The request target as sent: path and query string. */
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  raw: string;
}

/** A string body is sent as text/plain (Slack answers so), anything else as JSON. */
export type FakeAnswer = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A local HTTP server on 127.0.0.1 that records requests and answers with `reply` (so a test can
 * check the documented request format). `reply` may be async (to delay) or answer 'drop' to
 * close the connection without an answer (a lost response). Started and stopped by the test.
 */
export async function startFake(
  reply: (req: Recorded) => FakeAnswer | 'drop' | Promise<FakeAnswer | 'drop'>,
): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {}
      const rec = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        raw,
      };
      requests.push(rec);
      let out: FakeAnswer | 'drop';
      try {
        out = await reply(rec);
      } catch (err) {
        out = { status: 500, body: { error: String(err) } };
      }
      if (out === 'drop') {
        req.socket.destroy();
        return;
      }
      const text = typeof out.body === 'string';
      res.writeHead(out.status, {
        'content-type': text ? 'text/plain; charset=utf-8' : 'application/json',
        ...out.headers,
      });
      res.end(out.body === undefined ? '' : text ? (out.body as string) : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
