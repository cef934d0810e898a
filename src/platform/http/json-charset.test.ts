import { describe, expect, it } from 'vitest';
import { aMessage } from '../../../test/builders.js';
import { suiteApp } from '../../../test/support/suite.js';
import { decodeJsonBody, decodeWindows1252 } from './json-charset.js';

/** JSON bodies in the charset their Content-Type declares (json-charset.ts). */
describe('a JSON body with a declared charset', () => {
  const t = suiteApp('sqlite');

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

  it('reads Windows-1252 by its own table, where 0x80–0x9F are letters and quotes', async () => {
    const text = Buffer.from('caf\xe9 \x80 \x93q\x94', 'latin1');
    expect(decodeWindows1252(text)).toBe('café € “q”');
    // Every assigned byte of 0x80–0x9F, and the five unassigned ones as the C1 control.
    const high = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
    expect(decodeWindows1252(high)).toBe(
      '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ',
    );
    const m = aMessage({ text: 'PLACEHOLDER' });
    const [head, tail] = JSON.stringify(m).split('PLACEHOLDER');
    const body = Buffer.concat([Buffer.from(head), text, Buffer.from(tail)]);
    expect((await post(body, 'windows-1252')).statusCode).toBe(202);
    expect(await storedText(m.externalId)).toBe('café € “q”');
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

describe('a JSON body declared plain utf-16', () => {
  const text = '{"text":"München 📵"}';
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  const decode = (b: Buffer) => decodeJsonBody(b, 'application/json; charset=utf-16');

  it('is big-endian without a byte-order mark (RFC 2781), as its first character shows', () => {
    expect(decode(be)).toBe(text);
  });

  it('follows a byte-order mark, and reads unmarked little-endian JSON by its zero bytes', () => {
    expect(decode(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(text);
    expect(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).toBe(text);
    expect(decode(le)).toBe(text);
  });
});
