import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type Http } from './server.js';

/** Sends raw bytes and reads the whole answer (the server closes the connection). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => {
      out += d.toString('utf8');
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(request);
  });
}

describe('errors before and while a body is parsed keep the app error shape', () => {
  let app: Http;
  let port: number;
  beforeAll(async () => {
    app = createHttpServer(false);
    app.post('/echo', async (req) => ({ got: req.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers over-long headers or URL with 431 {"error": {code, message}}', async () => {
    for (const request of [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET /healthz?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]) {
      const res = await raw(port, request);
      expect(res).toMatch(/^HTTP\/1\.1 431 /);
      const body = JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4));
      expect(body).toEqual({
        error: { code: 'headers_too_large', message: 'request headers or URL are too large' },
      });
    }
  });

  it('says why a body with a "__proto__" key is refused instead of calling it invalid JSON', async () => {
    for (const payload of [
      '{"__proto__":{"isAdmin":true}}',
      '{"constructor":{"prototype":{"x":1}}}',
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
      expect(res.json().error.message).toMatch(/__proto__/);
      expect(res.json().error.message).not.toMatch(/not valid JSON/);
    }
    const broken = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toMatch(/not valid JSON/);
  });
});
