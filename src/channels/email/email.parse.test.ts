import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedDataPath } from '../../../test/fakes/shared-data.js';
import { fitMessage } from '../channel.fit.js';
import { type ClassifiedMail, classifyMail } from './email.parse.js';
import { newPartOf } from './email.quote.js';
import { AUTH_RETRY_MS, nextPollAt } from './email.timer.js';
import { decodeUtf7 } from './email.utf7.js';

const DIR = 'email-eml';
const haveData = hasSharedData(DIR);
const ctx = { channelId: 'ch-1', ownAddresses: new Set(['mary@example.net']) };
const classify = (path: string) => classifyMail(readFileSync(sharedDataPath(DIR, path)), ctx);
const message = (c: ClassifiedMail) => {
  if (c.kind !== 'message') throw new Error(`expected a message, got ${c.kind}`);
  return c.message;
};

describe.skipIf(!haveData)('classifying real mail', () => {
  it('reads a plain mail: author, name, subject, Date, Message-ID', async () => {
    const raw = readFileSync(sharedDataPath(DIR, 'mikel-mail/rfc2822/example05.eml'));
    const internalDate = new Date('2026-12-01T08:00:00Z');
    const m = message(await classifyMail(raw, { ...ctx, internalDate }));
    expect(m).toMatchObject({
      channel: 'email',
      channelId: 'ch-1',
      externalId: '<1234@local.machine.example>',
      author: { id: 'jdoe@machine.example', name: 'John Doe' },
      subject: 'Saying Hello',
      // Its Date header says 1997: before 2000 no time is believed, the server's INTERNALDATE is.
      sentAt: '2026-12-01T08:00:00.000Z',
      visibility: 'private',
    });
    const dated = raw.toString('latin1').replace('21 Nov 1997', '21 Nov 2019');
    expect(message(await classifyMail(Buffer.from(dated, 'latin1'), ctx)).sentAt).toBe(
      '2019-11-21T15:55:06.000Z',
    );
  });

  it('names the thread parents nearest first (In-Reply-To, then References newest first)', async () => {
    const c = await classify('mikel-mail/rfc2822/example07.eml');
    expect(c.kind === 'message' && c.parents).toEqual([
      '<3456@example.net>',
      '<1234@local.machine.example>',
    ]);
    // Its References, oldest first, kept for our answer's References (email.sender.ts).
    expect((message(c).raw as { headers: { references: string[] } }).headers.references).toEqual([
      '<1234@local.machine.example>',
      '<3456@example.net>',
    ]);
    // A mail naming its parent by In-Reply-To alone: that one id stands for its References.
    const raw = readFileSync(sharedDataPath(DIR, 'mikel-mail/rfc2822/example07.eml'))
      .toString('latin1')
      .replace(/^References:.*\r?\n/m, '');
    const only = message(await classifyMail(Buffer.from(raw, 'latin1'), ctx));
    expect((only.raw as { headers: { references: string[] } }).headers.references).toEqual([
      '<3456@example.net>',
    ]);
  });

  it('falls back to INTERNALDATE without a Date, and to a hash of the bytes without a Message-ID', async () => {
    const internalDate = new Date('2026-12-01T08:00:00Z');
    const raw = readFileSync(sharedDataPath(DIR, 'mikel-mail/multi_charset/japanese_iso_2022.eml'));
    const a = message(await classifyMail(raw, { ...ctx, internalDate }));
    const b = message(await classifyMail(raw, ctx));
    expect(a.sentAt).toBe('2026-12-01T08:00:00.000Z');
    expect(a.externalId).toMatch(/^<sha256-[0-9a-f]{64}@throughline\.invalid>$/);
    expect(b.externalId).toBe(a.externalId);
  });

  it('reads a raw 8-bit Latin-1 Subject and display name as Windows-1252; raw UTF-8 stays UTF-8', async () => {
    const m = message(await classify('mikel-mail/error_emails/invalid_subject_characters.eml'));
    expect(m.subject).toBe(
      'Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro',
    );
    expect(m.author).toEqual({ id: 'info@formacaofrenetik.info', name: 'Formação Frenetikpolis' });
    const raw = (from: Buffer, subject: Buffer) =>
      Buffer.concat([
        Buffer.from('From: '),
        from,
        Buffer.from(' <jose@example.pt>\r\nSubject: '),
        subject,
        Buffer.from('\r\nMessage-ID: <cp1252-1@example.pt>\r\n\r\nOl\xe1\r\n', 'latin1'),
      ]);
    const latin = message(
      await classifyMail(
        raw(
          Buffer.from('Jos\xe9 \x93Z\xe9\x94', 'latin1'),
          Buffer.from('Pre\xe7o \x80 10', 'latin1'),
        ),
        ctx,
      ),
    );
    expect(latin.author.name).toBe('José “Zé”');
    expect(latin.subject).toBe('Preço € 10');
    // The body had no charset either: the same fallback, as before.
    expect(latin.text).toBe('Olá');
    const utf8 = message(
      await classifyMail(raw(Buffer.from('José'), Buffer.from('Preço € 10')), ctx),
    );
    expect(utf8.author.name).toBe('José');
    expect(utf8.subject).toBe('Preço € 10');
  });

  it('converts an HTML-only mail to text', async () => {
    const m = message(
      await classify('mikel-mail/error_emails/content_transfer_encoding_text-html.eml'),
    );
    expect(m.text).not.toMatch(/<[a-z]+[ >]/i);
  });

  it('tells bounces from delay warnings and finds the returned Message-ID', async () => {
    expect(await classify('postal-mime/bounce.eml')).toEqual({
      kind: 'bounce',
      failed: ['<e85f1c9b-9b51-4028-8ec0-0a657155028e@app.fastmail.com>'],
      reason: 'delivery failed',
      error: { code: '5.0.0', reason: 'E-mail bounced (5.0.0): smtp; 550 No such user here' },
    });
    expect(await classify('mikel-mail/multipart_report_emails/report_530.eml')).toMatchObject({
      kind: 'bounce',
      failed: ['<200712232303.lBNN3jDq002941@mail12.rrrr.com.au>'],
    });
    expect(await classify('mikel-mail/multipart_report_emails/report_422.eml')).toEqual({
      kind: 'bounce',
      failed: [],
      reason: 'delivery delayed (warning only)',
    });
  });

  it('skips our own mail and parks mail without a usable From', async () => {
    expect(await classify('mikel-mail/rfc2822/example06.eml')).toMatchObject({ kind: 'skip' });
    for (const f of ['mikel-mail/rfc2822/example13.eml', 'postal-mime/mixed.eml']) {
      expect(await classify(f), f).toMatchObject({ kind: 'bad', reason: 'no usable From address' });
    }
  });

  it('classifies every file of the corpus without throwing', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const walk = (d: string): string[] =>
      readdirSync(d).flatMap((f) => {
        const p = `${d}/${f}`;
        return statSync(p).isDirectory() ? walk(p) : [p];
      });
    const files = walk(sharedDataPath(DIR));
    expect(files.length).toBeGreaterThan(100);
    const kinds: Record<string, number> = {};
    for (const f of files) {
      const c = await classifyMail(readFileSync(f), ctx);
      kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      if (c.kind === 'message') expect(c.message.author.id, f).toContain('@');
    }
    expect(kinds.message).toBeGreaterThan(80);
    expect(kinds.bounce).toBeGreaterThanOrEqual(6);
  });
});

describe('mail text', () => {
  it('keeps only what the customer wrote this time', () => {
    const gmail =
      'Still broken.\n\nOn Mon, 1 Dec 2026 at 10:00, Kestrel Care <care@\nkestrel.example> wrote:\n> Is it fixed?\n';
    expect(newPartOf(gmail)).toBe('Still broken.');
    const outlook =
      'Thanks!\r\n\r\nFrom: Kestrel Care <care@kestrel.example>\r\nSent: Monday, December 1, 2026 10:00\r\nTo: Ana\r\nSubject: Re: x\r\n\r\nIs it fixed?';
    expect(newPartOf(outlook)).toBe('Thanks!');
    expect(newPartOf('Works now.\n\n-- \nAna Lima\nACME Ltd')).toBe('Works now.');
    // A > line without an attribution above it is the customer's (email.quote.test.ts).
    expect(newPartOf('Hi\n> quoted\nbelow\n\nSent from my iPhone')).toBe('Hi\n> quoted\nbelow');
    expect(newPartOf('Am 1. Dez. 2026 um 10:00 schrieb Kestrel Care <c@k.example>:\n> alt')).toBe(
      'Am 1. Dez. 2026 um 10:00 schrieb Kestrel Care <c@k.example>:\n> alt',
    );
  });

  it('uses the subject when the body is empty, and cuts a huge body like every channel', async () => {
    const empty = 'From: a@example.org\r\nSubject: Router dead\r\nMessage-ID: <e@x>\r\n\r\n';
    expect(message(await classifyMail(Buffer.from(empty), ctx)).text).toBe('Router dead');
    const huge = `From: a@example.org\r\nSubject: Log\r\nMessage-ID: <h@x>\r\n\r\n${'line of log\r\n'.repeat(20_000)}`;
    const m = message(await classifyMail(Buffer.from(huge), ctx));
    const fitted = fitMessage({ message: m }).message.text;
    expect(fitted.length).toBeLessThanOrEqual(100_000);
    expect(fitted).toMatch(/… \[truncated: \d+ characters\]$/);
  });

  it("refuses a mail our server says failed DMARC; a sender's own header below ours does not count", async () => {
    const mail = (...auth: string[]) =>
      Buffer.from(
        [
          ...auth.map((a) => `Authentication-Results: ${a}`),
          'From: Ana <ana@example.com>',
          'Subject: Refund',
          'Message-ID: <dmarc@example.com>',
          '',
          'Please refund to this new account.',
          '',
        ].join('\r\n'),
      );
    expect(
      await classifyMail(
        mail('mx.desk.example;\r\n dkim=none;\r\n dmarc=fail header.from=example.com'),
        ctx,
      ),
    ).toMatchObject({ kind: 'skip', reason: 'DMARC failed (mx.desk.example)' });
    expect(
      await classifyMail(mail('mx.desk.example; arc=none', 'mx.desk.example; dmarc=fail'), ctx),
    ).toMatchObject({ kind: 'skip' });
    expect(
      await classifyMail(mail('mx.desk.example; dmarc=pass', 'forged.example; dmarc=fail'), ctx),
    ).toMatchObject({ kind: 'message' });
    expect(await classifyMail(mail(), ctx)).toMatchObject({ kind: 'message' });
  });

  it('decodes UTF-7', () => {
    expect(decodeUtf7('Caf+AOk- 1+-1 +ZeVnLIqe-')).toBe('Café 1+1 日本語');
  });
});

describe('when a mailbox is polled', () => {
  it('waits its interval, 30 s by default, and much longer while its login is refused', () => {
    expect(nextPollAt(undefined, undefined, 'ok')).toBe(30_000);
    expect(nextPollAt(1_000, 5, 'degraded')).toBe(6_000);
    expect(nextPollAt(1_000, 5, 'auth_revoked')).toBe(1_000 + AUTH_RETRY_MS);
  });
});
