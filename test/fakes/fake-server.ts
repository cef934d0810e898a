import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

export type FakeHandler = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

/** A loopback HTTP server (127.0.0.1, port 0) that records every request it answers. */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private server = createServer((req, res) => void this.handle(req, res));
  url = '';

  constructor(private readonly handler: FakeHandler) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    let reply: FakeReply;
    try {
      reply = await this.handler(recorded);
    } catch (err) {
      reply = { status: 500, body: { error: String(err) } };
    }
    const isText = typeof reply.body === 'string';
    res.writeHead(reply.status, {
      'content-type': isText ? 'text/plain' : 'application/json',
      ...(reply.headers ?? {}),
    });
    res.end(
      reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body),
    );
  }
}

/**
 * A fake provider API on a FakeServer: what the Meta, X and Twilio fakes share, so each writes
 * only how it answers (`route`).
 */
export abstract class FakeProvider {
  readonly server: FakeServer;
  /** While set, every request waits for it before it is answered (a slow provider call). */
  hold: Promise<unknown> | null = null;

  constructor() {
    this.server = new FakeServer(async (r) => {
      if (this.hold) await this.hold;
      return this.route(r);
    });
  }
  protected abstract route(r: RecordedRequest): FakeReply;
  async start(): Promise<this> {
    await this.server.start();
    return this;
  }
  get url() {
    return this.server.url;
  }
  close() {
    return this.server.close();
  }
}
