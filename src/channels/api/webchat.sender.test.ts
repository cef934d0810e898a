import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMessage,
  asAdmin,
  caseFromMessage,
  type TestApp,
  testApp,
} from '../../../test/builders.js';
import { loadConfig } from '../../config.js';

const SECRET = 'webchat-secret-0123456789';

/** Web chat replies go to the chat backend as signed webhooks, like the api channel's. */
describe('web chat replies through the chat backend', () => {
  let t: TestApp;
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"externalId":"chat-1"}');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    t = await testApp('sqlite', {
      webchatOutboundUrl: `http://127.0.0.1:${port}/chat`,
      webhookSecret: SECRET,
    });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => server.close(r));
  });

  it('POSTs the reply, signed, with the visitor as recipient, and records it sent', async () => {
    const m = aMessage({
      channel: 'webchat',
      visibility: 'private',
      author: { id: 'visitor-42' },
      text: 'my router keeps rebooting',
    });
    const caseId = await caseFromMessage(t, m);
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${caseId}/replies`, {
      text: 'Sorry about that, a fix is on its way.',
    });
    expect(res.statusCode).toBe(201);
    await t.app.outbox.runOnce();
    expect(got).toHaveLength(1);
    const { headers, body } = got[0];
    const ts = String(headers['x-throughline-timestamp']);
    expect(headers['x-throughline-signature']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`,
    );
    expect(JSON.parse(body)).toMatchObject({
      type: 'message.outbound',
      channel: 'webchat',
      to: 'visitor-42',
      text: 'Sorry about that, a fix is on its way.',
    });
    const sent = await t.app.database.db
      .selectFrom('messages')
      .select(['status', 'external_id'])
      .where('id', '=', res.json().id)
      .executeTakeFirstOrThrow();
    expect(sent).toEqual({ status: 'sent', external_id: 'chat-1' });
  });

  it('refuses a chat backend URL without a signing secret', () => {
    expect(() =>
      loadConfig({ THROUGHLINE_WEBCHAT_OUTBOUND_URL: 'http://127.0.0.1:9/chat' }),
    ).toThrow(/THROUGHLINE_WEBCHAT_OUTBOUND_URL needs THROUGHLINE_WEBHOOK_SECRET/);
  });
});
