import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../../test/builders.js';

/** JSON bodies in the charset their Content-Type declares (json-charset.ts). */
describe('a JSON body with a declared charset', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('sqlite');
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (body: Buffer, charset: string) =>
    t.app.http.inject({
      method: 'POST',
      url: '/api/v1/inbound',
      headers: { ...t.auth, 'content-type': `application/json; charset=${charset}` },
      payload: body,
    });
  const storedText = async (externalId: string) => {
    await t.app.pipeline.drain();
    const row = await t.app.database.db
      .selectFrom('messages')
      .select('text')
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();
    return row.text;
  };

  it('is read in ISO-8859-1 and UTF-16 as declared, so no letter is lost', async () => {
    const latin = aMessage({ text: 'Le café du coin: plus de réseau' });
    expect(
      (await post(Buffer.from(JSON.stringify(latin), 'latin1'), 'ISO-8859-1')).statusCode,
    ).toBe(202);
    expect(await storedText(latin.externalId)).toBe('Le café du coin: plus de réseau');
    const wide = aMessage({ text: 'Kein Netz in München 📵' });
    expect((await post(Buffer.from(JSON.stringify(wide), 'utf16le'), 'utf-16le')).statusCode).toBe(
      202,
    );
    expect(await storedText(wide.externalId)).toBe('Kein Netz in München 📵');
  });

  it('is refused with 415 when the charset is one we cannot read', async () => {
    const res = await post(Buffer.from(JSON.stringify(aMessage())), 'bogus');
    expect(res.statusCode).toBe(415);
    expect(res.json().error.message).toMatch(/charset bogus is not supported/);
  });

  it('is read as UTF-8 when no charset is named', async () => {
    const m = aMessage({ text: 'Straße ohne Netz' });
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/inbound',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: Buffer.from(JSON.stringify(m)),
    });
    expect(res.statusCode).toBe(202);
    expect(await storedText(m.externalId)).toBe('Straße ohne Netz');
  });
});
