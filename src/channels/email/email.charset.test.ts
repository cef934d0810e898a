import { describe, expect, it } from 'vitest';
import { declareLatin1Parts } from './email.charset.js';
import { classifyMail } from './email.parse.js';

const ctx = { channelId: 'ch-1', ownAddresses: new Set(['care@acme.test']) };
const mail = (headers: string[], body: string) =>
  Buffer.from(
    [
      'From: Jonas <jonas@cust.test>',
      'To: care@acme.test',
      'Subject: Kaputt',
      'Message-ID: <latin1-1@cust.test>',
      ...headers,
      '',
      body,
      '',
    ].join('\r\n'),
    'latin1',
  );
const textOf = async (raw: Buffer) => {
  const c = await classifyMail(raw, ctx);
  if (c.kind !== 'message') throw new Error(`expected a message, got ${c.kind}`);
  return c.message.text;
};

describe('text parts that declare no charset', () => {
  it('reads bytes that cannot be UTF-8 as Windows-1252', async () => {
    expect(await textOf(mail(['Content-Type: text/plain'], 'Mein Ger\xe4t ist kaputt'))).toBe(
      'Mein Gerät ist kaputt',
    );
    // No Content-Type at all; 0x80 and 0x93/0x94 are Windows-1252's euro sign and curly quotes.
    expect(await textOf(mail([], '\x93Smart\x94 costs 5 \x80, Gr\xfc\xdfe'))).toBe(
      '“Smart” costs 5 €, Grüße',
    );
    const qp = ['Content-Type: text/plain', 'Content-Transfer-Encoding: quoted-printable'];
    expect(await textOf(mail(qp, 'Mein Ger=E4t ist =\r\nkaputt'))).toBe('Mein Gerät ist kaputt');
  });

  it('keeps valid UTF-8 as UTF-8, and a declared charset as declared', async () => {
    const utf8 = Buffer.from('Mein Gerät ist kaputt', 'utf8').toString('latin1');
    expect(await textOf(mail(['Content-Type: text/plain'], utf8))).toBe('Mein Gerät ist kaputt');
    expect(declareLatin1Parts(mail(['Content-Type: text/plain'], utf8))).toBeUndefined();
    const declared = mail(['Content-Type: text/plain; charset=utf-8'], 'Ger\xe4t');
    expect(declareLatin1Parts(declared)).toBeUndefined();
  });

  it('declares only the part of a multipart mail that is not UTF-8', async () => {
    const raw = mail(
      ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'],
      [
        '--b1',
        'Content-Type: text/plain',
        '',
        'Mein Ger\xe4t ist kaputt',
        '--b1',
        'Content-Type: text/plain',
        'Content-Disposition: attachment; filename="log.txt"',
        '',
        Buffer.from('Grüße', 'utf8').toString('latin1'),
        '--b1--',
      ].join('\r\n'),
    );
    const fixed = declareLatin1Parts(raw)!.toString('latin1');
    expect(fixed.match(/charset=windows-1252/g)).toHaveLength(1);
    expect(fixed).toContain('Content-Type: text/plain; charset=windows-1252\r\n\r\nMein Ger');
    expect(await textOf(raw)).toBe('Mein Gerät ist kaputt');
  });
});
