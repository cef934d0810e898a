import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/builders.js';
import { createChannel, X_SECRET } from '../../../test/fakes/channels.js';
import { crcResponseToken, isCrcToken, signXBody, verifyXSignature } from './x.verify.js';

const OUR_ACCOUNT = '835740314006511618';

/**
 * The CRC answer and the delivery signature are the same HMAC under the same key, so the public
 * CRC GET must never sign anything that a delivery POST would accept.
 */
describe('X CRC is not a signing oracle', () => {
  let t: TestApp;
  let channelId: string;

  beforeAll(async () => {
    t = await testApp('sqlite');
    channelId = await createChannel(t, {
      kind: 'x',
      name: 'Support on X',
      config: { accountId: OUR_ACCOUNT, handle: 'brand' },
      secrets: { consumerSecret: X_SECRET },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const crc = (token: string) =>
    t.app.http.inject({
      method: 'GET',
      url: `/webhooks/x/${channelId}?crc_token=${encodeURIComponent(token)}`,
    });

  it('refuses to sign a JSON body, so the forged delivery is refused', async () => {
    const count = async () =>
      Number(
        (
          await t.app.database.db
            .selectFrom('inbound_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const forged = JSON.stringify({
      for_user_id: OUR_ACCOUNT,
      tweet_delete_events: [
        { status: { id_str: '1', user_id: '2' }, timestamp_ms: '1700000000000' },
      ],
    });
    const before = await count();
    // The reproduction: ask the public CRC endpoint to "answer" the body, then deliver it with
    // that answer as its signature.
    const res = await crc(forged);
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('sha256=');
    const signature = res.statusCode === 200 ? res.json().response_token : 'sha256=';
    const post = await t.app.http.inject({
      method: 'POST',
      url: `/webhooks/x/${channelId}`,
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature },
      payload: forged,
    });
    expect(post.statusCode).toBe(403);
    expect(await count()).toBe(before);
  });

  it('refuses a delivery whose body is a token the CRC would answer', async () => {
    for (const body of ['true', '12345', 'null']) {
      const got = await crc(body);
      expect(got.statusCode).toBe(200);
      const post = await t.app.http.inject({
        method: 'POST',
        url: `/webhooks/x/${channelId}`,
        headers: {
          'content-type': 'application/json',
          'x-twitter-webhooks-signature': got.json().response_token,
        },
        payload: body,
      });
      expect(post.statusCode).toBe(403);
    }
  });

  it('answers a real-shaped CRC token', async () => {
    // X's tokens are random base64 text; `+`, `/` and `=` arrive percent-encoded.
    const token = 'mPu3Y1k/6Qv+2xq8Zr0LwA1s9TfJbHnE4cDgXoUi7Kk=';
    const res = await crc(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ response_token: crcResponseToken(token, X_SECRET) });
    // The courier vector's `test+token` (a space once the query string is read) still works.
    const courier = await t.app.http.inject({
      method: 'GET',
      url: `/webhooks/x/${channelId}?crc_token=test+token`,
    });
    expect(courier.statusCode).toBe(200);
  });

  it('keeps tokens and delivery bodies apart at the primitive too', () => {
    const body = Buffer.from('{"for_user_id":"1","tweet_create_events":[]}');
    expect(isCrcToken(body.toString())).toBe(false);
    expect(() => crcResponseToken(body.toString(), X_SECRET)).toThrow();
    expect(verifyXSignature(body, signXBody(body, X_SECRET), X_SECRET)).toBe(true);
    const tokenBody = Buffer.from('12345');
    expect(verifyXSignature(tokenBody, signXBody(tokenBody, X_SECRET), X_SECRET)).toBe(false);
    expect(isCrcToken('a'.repeat(129))).toBe(false);
  });
});
