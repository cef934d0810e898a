import { describe, expect, it } from 'vitest';
import { aMessage, asAdmin } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';

describe.each(ENGINES)('POST /api/v1/inbound on %s', (engine) => {
  const t = suiteApp(engine);

  const count = async (table: 'inbound_events' | 'messages') =>
    Number(
      (
        await t.app.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('accepts one message durably and answers 202', async () => {
    const before = await count('inbound_events');
    const res = await asAdmin(t, 'POST', '/api/v1/inbound', aMessage());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await count('inbound_events')).toBe(before + 1);
  });

  it('takes a time hours ahead of arrival as the arrival time (event time only moves forward)', async () => {
    const t0 = Date.now();
    const far = aMessage({ sentAt: new Date(t0 + 20 * 3_600_000).toISOString() });
    const near = aMessage({ sentAt: new Date(t0 + 120_000).toISOString() });
    const res = await asAdmin(t, 'POST', '/api/v1/inbound', { messages: [far, near] });
    expect(res.statusCode).toBe(202);
    await t.app.pipeline.drain();
    const sent = async (externalId: string) =>
      Number(
        (
          await t.app.database.db
            .selectFrom('messages')
            .select('sent_at')
            .where('external_id', '=', externalId)
            .executeTakeFirstOrThrow()
        ).sent_at,
      );
    const farAt = await sent(far.externalId);
    expect(farAt).toBeGreaterThanOrEqual(t0);
    expect(farAt).toBeLessThanOrEqual(Date.now());
    // A sender's clock a little ahead of ours is believed.
    expect(await sent(near.externalId)).toBe(Date.parse(near.sentAt));
  });

  it('refuses a sentAt before 2000 or more than a day ahead, naming it, and takes old history', async () => {
    const before = await count('inbound_events');
    const post = (payload: unknown) => asAdmin(t, 'POST', '/api/v1/inbound', payload);
    const bad = [
      '1970-01-01T00:00:00Z',
      '1999-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59Z',
      new Date(Date.now() + 25 * 3_600_000).toISOString(),
    ];
    const res = await post({
      messages: [aMessage(), ...bad.map((sentAt) => aMessage({ sentAt }))],
    });
    expect(res.statusCode, res.body).toBe(400);
    const message = res.json().error.message as string;
    expect(message).toContain(
      '/messages/1/sentAt 1970-01-01T00:00:00Z is before 2000-01-01T00:00:00Z',
    );
    expect(message).toContain('/messages/2/sentAt 1999-12-31T23:59:59.999Z is before 2000-01-01');
    expect(message).toContain(
      '/messages/3/sentAt 9999-12-31T23:59:59Z is more than 24 hours ahead',
    );
    expect(message).toContain('/messages/4/sentAt');
    expect(message).not.toContain('/messages/0/');
    const one = await post(aMessage({ sentAt: '1970-01-01T00:00:00.000Z' }));
    expect(one.statusCode).toBe(400);
    expect(one.json().error.message).toContain('/sentAt 1970-01-01T00:00:00.000Z is before 2000');
    expect(await count('inbound_events')).toBe(before);
    // Dated history is welcome: the first instant of 2000, a tweet of 2012, 23 hours ahead.
    const old = [
      aMessage({ sentAt: '2000-01-01T00:00:00Z' }),
      aMessage({ sentAt: '2012-06-01T12:00:00Z' }),
      aMessage({ sentAt: new Date(Date.now() + 23 * 3_600_000).toISOString() }),
    ];
    const ok = await post({ messages: old });
    expect(ok.statusCode, ok.body).toBe(202);
    expect(ok.json().accepted).toBe(3);
    await t.app.pipeline.drain();
    const stored = await t.app.database.db
      .selectFrom('messages')
      .select(['external_id', 'sent_at'])
      .where(
        'external_id',
        'in',
        old.slice(0, 2).map((m) => m.externalId),
      )
      .orderBy('sent_at')
      .execute();
    expect(stored.map((r) => Number(r.sent_at))).toEqual([
      Date.UTC(2000, 0, 1),
      Date.UTC(2012, 5, 1, 12),
    ]);
  });

  it('refuses a message with neither text nor attachment, and takes an attachment alone', async () => {
    const before = await count('inbound_events');
    const post = (payload: unknown) => asAdmin(t, 'POST', '/api/v1/inbound', payload);
    const why = '/text is empty and the message has no attachment';
    const one = await post(aMessage({ text: '  \n ' }));
    expect(one.statusCode, one.body).toBe(400);
    expect(one.json().error.message).toContain(why);
    const batch = await post({
      messages: [aMessage(), aMessage({ text: '', attachments: [] })],
    });
    expect(batch.statusCode, batch.body).toBe(400);
    expect(batch.json().error.message).toContain(`/messages/1${why}`);
    expect(await count('inbound_events')).toBe(before);
    const photo = aMessage({
      text: '',
      attachments: [{ type: 'image', url: 'https://x.test/a.jpg' }],
    });
    const ok = await post(photo);
    expect(ok.statusCode, ok.body).toBe(202);
    expect(ok.json()).toMatchObject({ accepted: 1 });
    // An e-mail whose subject says it all has something to read.
    const subjectOnly = aMessage({
      channel: 'email',
      text: '',
      subject: 'Internet down since 6am',
    });
    const mail = await post(subjectOnly);
    expect(mail.statusCode, mail.body).toBe(202);
  });

  it('refuses an identifier with half a surrogate pair instead of storing it as another key', async () => {
    const before = await count('inbound_events');
    const res = await asAdmin(
      t,
      'POST',
      '/api/v1/inbound',
      aMessage({ externalId: 'sur\udc00id' }),
    );
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toMatch(/externalId: an unpaired UTF-16 surrogate/);
    expect(await count('inbound_events')).toBe(before);
    // In the text it is customer content: kept (stored as U+FFFD by either engine).
    const text = aMessage({ text: 'no signal \ud83d here' });
    const ok = await asAdmin(t, 'POST', '/api/v1/inbound', text);
    expect(ok.json()).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('refuses a blank identifier and a channelId the desk does not have', async () => {
    const before = await count('inbound_events');
    const post = (payload: unknown) => asAdmin(t, 'POST', '/api/v1/inbound', payload);
    const blank = await post(aMessage({ externalId: '   ' }));
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.message).toMatch(/externalId: an identifier cannot be blank/);
    const nobody = await post(aMessage({ author: { id: ' ' } }));
    expect(nobody.json().error.message).toMatch(/author\/id: an identifier cannot be blank/);
    const stray = await post({
      messages: [aMessage(), aMessage({ channelId: 'no-such-channel' })],
    });
    expect(stray.statusCode).toBe(400);
    expect(stray.json().error.message).toBe(
      'channelId no-such-channel is not a channel of this desk',
    );
    // Nothing of a refused batch was stored.
    expect(await count('inbound_events')).toBe(before);
  });

  it('refuses a channelId of a kind that cannot carry the message', async () => {
    const id = `x-account-${Date.now()}`;
    await t.app.database.db
      .insertInto('channels')
      .values({
        id,
        workspace_id: t.app.workspace.workspaceId,
        kind: 'x',
        name: 'our X account',
        config_json: '{}',
        secrets_enc: null,
        created_at: Date.now(),
        disabled_at: null,
      })
      .execute();
    const before = await count('inbound_events');
    const post = (payload: unknown) => asAdmin(t, 'POST', '/api/v1/inbound', payload);
    const email = await post(aMessage({ channel: 'email', channelId: id }));
    expect(email.statusCode).toBe(400);
    expect(email.json().error.message).toBe(
      `channelId ${id} is a channel of kind x; email messages need one of kind email`,
    );
    const api = await post(aMessage({ channel: 'api', channelId: id }));
    expect(api.json().error.message).toMatch(/api messages take no channelId/);
    expect(await count('inbound_events')).toBe(before);
    const tweet = await post(aMessage({ channel: 'x', channelId: id }));
    expect(tweet.statusCode, tweet.body).toBe(202);
  });

  it('stores a re-delivery once, sequentially and concurrently', async () => {
    const m = aMessage();
    const first = await asAdmin(t, 'POST', '/api/v1/inbound', m);
    expect(first.json().accepted).toBe(1);
    const again = await asAdmin(t, 'POST', '/api/v1/inbound', m);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 });

    const c = aMessage();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => asAdmin(t, 'POST', '/api/v1/inbound', { messages: [c, c] })),
    );
    expect(results.every((r) => r.statusCode === 202)).toBe(true);
    expect(results.reduce((s, r) => s + r.json().accepted, 0)).toBe(1);

    await t.app.pipeline.drain();
    const stored = await t.app.database.db
      .selectFrom('messages')
      .select('id')
      .where('external_id', 'in', [m.externalId, c.externalId])
      .execute();
    expect(stored).toHaveLength(2);
  });

  it('accepts a batch and reports each message', async () => {
    const msgs = [aMessage(), aMessage(), aMessage()];
    const res = await asAdmin(t, 'POST', '/api/v1/inbound', { messages: [...msgs, msgs[0]] });
    expect(res.statusCode).toBe(202);
    expect(res.json().accepted).toBe(3);
    expect(res.json().results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'duplicate',
    ]);
  });

  describe('bad input gets a clear 4xx and stores nothing', () => {
    const cases: [string, () => Record<string, unknown>, number, RegExp][] = [
      [
        'malformed JSON',
        () => ({ payload: '{"channel": "api", ', headers: { 'content-type': 'application/json' } }),
        400,
        /JSON/i,
      ],
      [
        'missing externalId',
        () => ({ payload: { ...aMessage(), externalId: undefined } }),
        400,
        /externalId/,
      ],
      ['missing author', () => ({ payload: { ...aMessage(), author: undefined } }), 400, /author/],
      ['bad sentAt', () => ({ payload: aMessage({ sentAt: 'yesterday' }) }), 400, /sentAt/],
      [
        'unknown channel',
        () => ({ payload: { ...aMessage(), channel: 'pigeon' } }),
        400,
        /channel/,
      ],
      [
        'unknown field',
        () => ({ payload: { ...aMessage(), colour: 'red' } }),
        400,
        /colour|additional/i,
      ],
      ['empty batch', () => ({ payload: { messages: [] } }), 400, /at least one/],
      [
        'bad item in batch',
        () => ({ payload: { messages: [aMessage(), { ...aMessage(), text: 5 }] } }),
        400,
        /messages\/1\/text/,
      ],
      [
        'oversize body',
        () => ({
          payload: {
            messages: [aMessage({ text: 'x'.repeat(99_000) })].concat(
              Array.from({ length: 110 }, () => aMessage({ text: 'y'.repeat(99_000) })),
            ),
          },
        }),
        413,
        /too large/,
      ],
      [
        'wrong content type',
        () => ({ payload: 'hello', headers: { 'content-type': 'text/plain' } }),
        415,
        /application\/json/,
      ],
    ];
    it.each(cases)('%s', async (_name, make, status, message) => {
      const before = await count('inbound_events');
      const req = make() as { payload: unknown; headers?: Record<string, string> };
      const res = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/inbound',
        headers: { ...t.auth, ...(req.headers ?? {}) },
        payload: req.payload as string,
      });
      expect(res.statusCode).toBe(status);
      expect(res.json().error.message).toMatch(message);
      expect(await count('inbound_events')).toBe(before);
    });

    it('wrong or missing token → 401', async () => {
      const before = await count('inbound_events');
      const wrong = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/inbound',
        headers: { authorization: 'Bearer tl_nope' },
        payload: aMessage(),
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('unauthenticated');
      const none = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/inbound',
        payload: aMessage(),
      });
      expect(none.statusCode).toBe(401);
      expect(await count('inbound_events')).toBe(before);
    });
  });
});
