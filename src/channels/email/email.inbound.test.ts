import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChannel } from '../../../test/fakes/channels.js';
import { hasSharedData } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';
import { EML_DIR, eml, ImapDesk, SMTP_PASSWORD } from './email.inbound.harness.js';

/** Tests that read real mail (../shared/data); connecting the channel needs none. */
const withData = it.runIf(hasSharedData(EML_DIR));

/**
 * The inbound e-mail channel against a real IMAP server (a throwaway Dovecot) and real mail
 * (mikel/mail and postal-mime fixtures, read at run time): what a mail becomes.
 * email.resilience.test.ts covers duplicates, parking, restarts and the background poll.
 */
describe.each(ENGINES)('email channel (IMAP) on %s', (engine) => {
  let d: ImapDesk;
  beforeAll(async () => {
    d = await ImapDesk.start(engine);
  });
  afterAll(async () => {
    await d?.close();
  });

  it('is connected through the channels API with SMTP and IMAP; no secret comes back', async () => {
    expect(d.created.body).not.toContain(d.dovecot.password);
    expect(d.created.body).not.toContain(SMTP_PASSWORD);
    const test = await d.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/channels/${d.channelId}/test`,
      headers: d.t.auth,
    });
    expect(test.json()).toMatchObject({
      ok: true,
      account: { mailbox: 'INBOX', from: 'Mary Smith <mary@example.net>', messages: '0' },
    });
    // The first poll remembered the folder's UIDVALIDITY; the health view shows the cursor.
    const view = await d.t.app.http.inject({
      method: 'GET',
      url: `/api/v1/channels/${d.channelId}`,
      headers: d.t.auth,
    });
    expect(view.json().health.cursors.imap).toMatchObject({ mailbox: 'INBOX', lastUid: 0 });
    expect(view.json().health.cursors.imap.uidValidity).toMatch(/^\d+$/);
    const list = await d.t.app.http.inject({
      method: 'GET',
      url: '/api/v1/channels',
      headers: d.t.auth,
    });
    expect(list.body).not.toContain(d.dovecot.password);
  });

  it('refuses an IMAP side without its password, and a half SMTP side', async () => {
    for (const payload of [
      { config: { imap: { host: 'h', port: 143, tls: false, user: 'u' } }, secrets: {} },
      { config: { host: 'h', port: 25 }, secrets: {} },
    ]) {
      const res = await postChannel(d.t, { kind: 'email', name: 'bad', ...payload });
      expect(res.statusCode, res.body).toBe(400);
    }
  });

  withData(
    'threads example05 → 06 → 07 into one case; our own mail (06) opens nothing',
    async () => {
      await d.append(
        eml('mikel-mail/rfc2822/example05.eml'),
        eml('mikel-mail/rfc2822/example06.eml'),
        eml('mikel-mail/rfc2822/example07.eml'),
      );
      const r = await d.poll();
      expect(r).toMatchObject({ fetched: 3, accepted: 2, rescan: false });
      expect(r.skipped).toEqual([{ uid: 2, reason: 'from our own address mary@example.net' }]);
      const c = await d.caseOf('<1234@local.machine.example>');
      expect(c.subject).toBe('Saying Hello');
      expect(c.channel).toBe('email');
      expect(c.messages.map((m: { externalId: string }) => m.externalId)).toEqual([
        '<1234@local.machine.example>',
        '<abcd.1234@local.machine.tld>',
      ]);
      expect(c.messages[0]).toMatchObject({
        text: 'This is a message just to say hello.\nSo, "Hello".',
      });
      // Its Date header says 1997, before any time believed: dated when the server took it.
      expect(Date.parse(c.messages[0].sentAt)).toBeGreaterThan(Date.UTC(2020, 0, 1));
      expect(c.messages[1].text).toBe('This is a reply to your reply.');
      const author = await d.byExternalId('<1234@local.machine.example>');
      expect(author).toMatchObject({
        author_address: 'jdoe@machine.example',
        author_name: 'John Doe',
      });
      expect(await d.byExternalId('<3456@example.net>')).toBeUndefined();
    },
  );

  withData(
    'decodes iso-2022-jp, Shift_JIS, windows-1251, UTF-7 and RFC 6532 UTF-8 headers',
    async () => {
      const utf7 = [
        'From: =?UTF-7?Q?Ren+AOk-?= <rene@example.org>',
        'To: mary@example.net',
        'Subject: =?UTF-7?Q?Caf+AOk-_ferm+AOk-?=',
        'Date: Thu, 03 Dec 2026 09:00:00 +0000',
        'Message-ID: <utf7-1@example.org>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-7',
        '',
        'Le caf+AOk- est ferm+AOk- depuis lundi.',
        '',
      ].join('\r\n');
      await d.append(
        eml('mikel-mail/multi_charset/japanese_iso_2022.eml'),
        eml('mikel-mail/multi_charset/japanese_shift_jis.eml'),
        eml('mikel-mail/plain_emails/raw_email_bad_time.eml'),
        eml('mikel-mail/rfc6532/utf8_headers.eml'),
        utf7,
      );
      const r = await d.poll();
      expect(r.parked).toEqual([]);
      const all = await d
        .db()
        .selectFrom('messages')
        .innerJoin('cases', 'cases.id', 'messages.case_id')
        .select([
          'messages.text',
          'messages.author_name',
          'messages.author_address',
          'cases.subject',
        ])
        .execute();
      const find = (address: string) => all.find((m) => m.author_address === address);
      // iso-2022-jp, no Date and no Message-ID: INTERNALDATE and a hash of the bytes stand in.
      expect(find('raasdnil@gmail.com')).toMatchObject({
        text: 'すみません。',
        subject: 'まみむめも',
      });
      expect(find('xxxxxxx@docomo.ne.jp')?.text).toContain('このメールはテスト用のメールです。');
      expect(find('yusuf75thu@auracom.net')?.author_name).toBe('Атиковa');
      expect(find('jdöe@mächine.example')).toMatchObject({
        author_name: 'Jöhn Doe',
        subject: 'Säying Hello',
      });
      expect(find('rene@example.org')).toMatchObject({
        text: 'Le café est fermé depuis lundi.',
        subject: 'Café fermé',
      });
    },
  );

  withData('keeps attachment metadata, not the bytes; strips quoted replies', async () => {
    await d.append(eml('mikel-mail/attachment_emails/attachment_pdf.eml'));
    await d.append(
      [
        'From: Ana Lima <ana@example.com>',
        'To: mary@example.net',
        'Subject: Router drops every evening',
        'Date: Thu, 03 Dec 2026 10:00:00 +0000',
        'Message-ID: <ana-quote-1@example.com>',
        '',
        'It dropped again at 8pm.',
        '',
        'On Wed, 2 Dec 2026 at 18:00, Kestrel Care <mary@example.net>',
        'wrote:',
        '> Please tell us when it drops again.',
        '',
      ].join('\r\n'),
    );
    await d.poll();
    const pdf = await d.byExternalId('<xxxx@xxxx.com>');
    const atts = JSON.parse(pdf!.attachments_json);
    expect(atts).toHaveLength(1);
    expect(atts[0]).toMatchObject({ type: 'file', contentType: 'application/pdf' });
    expect(atts[0].size).toBeGreaterThan(1000);
    expect(atts[0].content).toBeUndefined();
    expect((await d.byExternalId('<ana-quote-1@example.com>'))?.text).toBe(
      'It dropped again at 8pm.',
    );
  });

  withData(
    'threads a reply to our sent e-mail; a bounce of it marks it failed and opens no case',
    async () => {
      const c = await d.caseOf('<1234@local.machine.example>');
      const reply = await d.t.app.http.inject({
        method: 'POST',
        url: `/api/v1/cases/${c.id}/replies`,
        headers: d.t.auth,
        payload: { text: 'Hello John, thanks for saying hello.' },
      });
      expect(reply.statusCode, reply.body).toBe(201);
      await d.t.app.outbox.runOnce();
      const sent = await simpleParser(d.smtp.received.at(-1)!.raw);
      const ourId = sent.messageId!;
      expect((await d.byExternalId(ourId))?.status).toBe('sent');
      // John answers our mail; his client names only our Message-ID.
      await d.append(
        [
          'From: John Doe <jdoe@machine.example>',
          'To: mary@example.net',
          'Subject: Re: Saying Hello',
          'Date: Thu, 03 Dec 2026 11:00:00 +0000',
          'Message-ID: <john-answers-us@machine.example>',
          `In-Reply-To: ${ourId}`,
          `References: ${ourId}`,
          '',
          'Thanks, all good.',
          '',
        ].join('\r\n'),
      );
      const before = await d.count('cases');
      // The real bounce (an unknown message of someone else's) and a DSN for ours.
      await d.append(eml('postal-mime/bounce.eml'), dsnFor(ourId));
      const r = await d.poll();
      expect(r).toMatchObject({ bounces: 2, failedMarks: 1, accepted: 1 });
      expect(await d.count('cases')).toBe(before);
      expect((await d.byExternalId('<john-answers-us@machine.example>'))?.case_id).toBe(c.id);
      expect((await d.byExternalId(ourId))?.status).toBe('failed');
      // The history says what the receiving server said, not "gave no reason".
      const failed = (await d.caseOf(ourId)).history.find(
        (h: { type: string }) => h.type === 'reply_failed',
      );
      expect(failed?.data).toMatchObject({
        channel: 'email',
        error: 'failed_after_sent',
        providerCode: '5.1.1',
        why: 'E-mail bounced (5.1.1): smtp; 550 5.1.1 user unknown',
      });
      expect(
        await d.byExternalId('<20221010053722.37BD05C00A2@mailout.nyi.internal>'),
      ).toBeUndefined();
    },
  );

  withData('opens no case for auto-replies', async () => {
    const before = await d.count('cases');
    const auto = (n: number, header: string, subject = 'Re: Saying Hello') =>
      [
        'From: Zoe <zoe@example.org>',
        'To: mary@example.net',
        `Subject: ${subject}`,
        'Date: Thu, 03 Dec 2026 12:00:00 +0000',
        `Message-ID: <auto-${n}@example.org>`,
        ...(header ? [header] : []),
        '',
        'I am away until Monday.',
        '',
      ].join('\r\n');
    await d.append(
      auto(1, 'Auto-Submitted: auto-replied'),
      auto(2, 'X-Autoreply: yes'),
      auto(3, 'Precedence: bulk'),
      auto(4, '', 'Out of Office: Zoe'),
      eml('mikel-mail/error_emails/bad_date_header.eml'),
    );
    const r = await d.poll();
    expect(r.skipped.map((s) => s.reason)).toEqual([
      'Auto-Submitted: auto-replied',
      'x-autoreply header',
      'Precedence: bulk',
      'out-of-office subject',
      'Precedence: junk',
    ]);
    expect(r.accepted).toBe(0);
    expect(await d.count('cases')).toBe(before);
  });
});

/** A minimal RFC 3464 report about one of our messages, as a receiving server would send it. */
function dsnFor(messageId: string): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
    'To: mary@example.net',
    'Subject: Undelivered Mail Returned to Sender',
    'Date: Thu, 03 Dec 2026 11:05:00 +0000',
    'Message-ID: <dsn-1@mx.example.com>',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.com',
    '',
    'Final-Recipient: rfc822; jdoe@machine.example',
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 user',
    '  unknown',
    '--b1',
    'Content-Type: text/rfc822-headers',
    '',
    'From: Mary Smith <mary@example.net>',
    'To: jdoe@machine.example',
    `Message-ID: ${messageId}`,
    '--b1--',
    '',
  ].join('\r\n');
}
