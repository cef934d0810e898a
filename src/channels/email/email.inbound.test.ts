import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/builders.js';
import { hasSharedData, sharedDataPath } from '../../../test/fakes/shared-data.js';
import { FakeSmtp } from '../../../test/fakes/smtp.js';
import { type Dovecot, startDovecot } from '../../../test/support/dovecot.js';
import { ENGINES } from '../../../test/support/engines.js';
import { buildApp } from '../../app.js';
import type { EmailPollResult } from './email.poll.js';

const DIR = 'email-eml';
const haveData = hasSharedData(DIR);
const eml = (path: string) => readFileSync(sharedDataPath(DIR, path));
const SMTP_PASSWORD = 'smtp-secret-never-shown';

/**
 * The inbound e-mail channel against a real IMAP server (a throwaway Dovecot) and real mail
 * (mikel/mail and postal-mime fixtures, read at run time): mails are APPENDed to the mailbox,
 * the channel polls it through the API, and the pipeline turns them into cases.
 */
describe.skipIf(!haveData).each(ENGINES)('email channel (IMAP) on %s', (engine) => {
  let dovecot: Dovecot;
  let smtp: FakeSmtp;
  let t: TestApp;
  let channelId: string;
  let imap: ImapFlow;

  beforeAll(async () => {
    dovecot = await startDovecot();
    smtp = await new FakeSmtp({ username: 'care', password: SMTP_PASSWORD }).start();
    t = await testApp(engine);
    imap = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
  });
  afterAll(async () => {
    await imap?.logout().catch(() => {});
    await t?.close();
    await smtp?.close();
    await dovecot?.stop();
  });
  const db = () => t.app.database.db;
  const append = async (...mails: (Buffer | string)[]) => {
    for (const m of mails) await imap.append('INBOX', m);
  };
  const poll = async (): Promise<EmailPollResult> => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/channels/${channelId}/poll`,
      headers: t.auth,
    });
    expect(res.statusCode, res.body).toBe(200);
    await t.app.pipeline.drain();
    return res.json().results[0];
  };
  const byExternalId = (id: string) =>
    db().selectFrom('messages').selectAll().where('external_id', '=', id).executeTakeFirst();
  const caseOf = async (externalId: string) => {
    const m = await byExternalId(externalId);
    expect(m, externalId).toBeDefined();
    const res = await t.app.http.inject({
      method: 'GET',
      url: `/api/v1/cases/${m!.case_id}`,
      headers: t.auth,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const caseCount = async () =>
    Number(
      (
        await db()
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('is connected through the channels API with SMTP and IMAP; no secret comes back', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: t.auth,
      payload: {
        kind: 'email',
        name: 'Support mailbox',
        config: {
          host: '127.0.0.1',
          port: smtp.port,
          secure: false,
          // The support address is Mary's: example06 (her answer) is our own mail.
          from: 'Mary Smith <mary@example.net>',
          username: 'care',
          imap: {
            host: dovecot.host,
            port: dovecot.port,
            tls: false,
            user: dovecot.user,
            // The background poll runs once (no cursor yet); the tests poll through the API.
            pollIntervalSeconds: 3600,
          },
        },
        secrets: { password: SMTP_PASSWORD, imapPassword: dovecot.password },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    channelId = res.json().id;
    expect(res.body).not.toContain(dovecot.password);
    expect(res.body).not.toContain(SMTP_PASSWORD);
    const test = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/channels/${channelId}/test`,
      headers: t.auth,
    });
    expect(test.json()).toMatchObject({
      ok: true,
      account: { mailbox: 'INBOX', from: 'Mary Smith <mary@example.net>', messages: '0' },
    });
    // The first poll finds the empty folder and remembers its UIDVALIDITY.
    expect(await poll()).toMatchObject({ fetched: 0, rescan: true, mailbox: 'INBOX' });
    const list = await t.app.http.inject({
      method: 'GET',
      url: '/api/v1/channels',
      headers: t.auth,
    });
    expect(list.body).not.toContain(dovecot.password);
  });

  it('refuses an IMAP side without its password, and a half SMTP side', async () => {
    for (const payload of [
      { config: { imap: { host: 'h', port: 143, tls: false, user: 'u' } }, secrets: {} },
      { config: { host: 'h', port: 25 }, secrets: {} },
    ]) {
      const res = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/channels',
        headers: t.auth,
        payload: { kind: 'email', name: 'bad', ...payload },
      });
      expect(res.statusCode, res.body).toBe(400);
    }
  });

  it('threads example05 → 06 → 07 into one case; our own mail (06) opens nothing', async () => {
    await append(
      eml('mikel-mail/rfc2822/example05.eml'),
      eml('mikel-mail/rfc2822/example06.eml'),
      eml('mikel-mail/rfc2822/example07.eml'),
    );
    const r = await poll();
    expect(r).toMatchObject({ fetched: 3, accepted: 2, rescan: false });
    expect(r.skipped).toEqual([{ uid: 2, reason: 'from our own address mary@example.net' }]);
    const c = await caseOf('<1234@local.machine.example>');
    expect(c.subject).toBe('Saying Hello');
    expect(c.channel).toBe('email');
    expect(c.messages.map((m: { externalId: string }) => m.externalId)).toEqual([
      '<1234@local.machine.example>',
      '<abcd.1234@local.machine.tld>',
    ]);
    expect(c.messages[0]).toMatchObject({
      text: 'This is a message just to say hello.\nSo, "Hello".',
      sentAt: '1997-11-21T15:55:06.000Z',
    });
    expect(c.messages[1].text).toBe('This is a reply to your reply.');
    const author = await byExternalId('<1234@local.machine.example>');
    expect(author).toMatchObject({
      author_address: 'jdoe@machine.example',
      author_name: 'John Doe',
    });
    expect(await byExternalId('<3456@example.net>')).toBeUndefined();
  });

  it('decodes iso-2022-jp, Shift_JIS, windows-1251, UTF-7 and RFC 6532 UTF-8 headers', async () => {
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
    await append(
      eml('mikel-mail/multi_charset/japanese_iso_2022.eml'),
      eml('mikel-mail/multi_charset/japanese_shift_jis.eml'),
      eml('mikel-mail/plain_emails/raw_email_bad_time.eml'),
      eml('mikel-mail/rfc6532/utf8_headers.eml'),
      utf7,
    );
    const r = await poll();
    expect(r.parked).toEqual([]);
    const all = await db()
      .selectFrom('messages')
      .innerJoin('cases', 'cases.id', 'messages.case_id')
      .select(['messages.text', 'messages.author_name', 'messages.author_address', 'cases.subject'])
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
  });

  it('keeps attachment metadata, not the bytes; strips quoted replies', async () => {
    await append(eml('mikel-mail/attachment_emails/attachment_pdf.eml'));
    await append(
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
    await poll();
    const pdf = await byExternalId('<xxxx@xxxx.com>');
    const atts = JSON.parse(pdf!.attachments_json);
    expect(atts).toHaveLength(1);
    expect(atts[0]).toMatchObject({ type: 'file', contentType: 'application/pdf' });
    expect(atts[0].size).toBeGreaterThan(1000);
    expect(atts[0].content).toBeUndefined();
    expect((await byExternalId('<ana-quote-1@example.com>'))?.text).toBe(
      'It dropped again at 8pm.',
    );
  });

  it('threads a reply to our sent e-mail; a bounce of it marks it failed and opens no case', async () => {
    const c = await caseOf('<1234@local.machine.example>');
    const reply = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.id}/replies`,
      headers: t.auth,
      payload: { text: 'Hello John, thanks for saying hello.' },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    await t.app.outbox.runOnce();
    const sent = await simpleParser(smtp.received.at(-1)!.raw);
    const ourId = sent.messageId!;
    expect((await byExternalId(ourId))?.status).toBe('sent');
    // John answers our mail; his client names only our Message-ID.
    await append(
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
    const before = await caseCount();
    // The real bounce (an unknown message of someone else's) and a DSN for ours.
    await append(eml('postal-mime/bounce.eml'), dsnFor(ourId));
    const r = await poll();
    expect(r).toMatchObject({ bounces: 2, failedMarks: 1, accepted: 1 });
    expect(await caseCount()).toBe(before);
    expect((await byExternalId('<john-answers-us@machine.example>'))?.case_id).toBe(c.id);
    expect((await byExternalId(ourId))?.status).toBe('failed');
    expect(await byExternalId('<20221010053722.37BD05C00A2@mailout.nyi.internal>')).toBeUndefined();
  });

  it('opens no case for auto-replies', async () => {
    const before = await caseCount();
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
    await append(
      auto(1, 'Auto-Submitted: auto-replied'),
      auto(2, 'X-Autoreply: yes'),
      auto(3, 'Precedence: bulk'),
      auto(4, '', 'Out of Office: Zoe'),
      eml('mikel-mail/error_emails/bad_date_header.eml'),
    );
    const r = await poll();
    expect(r.skipped.map((s) => s.reason)).toEqual([
      'Auto-Submitted: auto-replied',
      'x-autoreply header',
      'Precedence: bulk',
      'out-of-office subject',
      'Precedence: junk',
    ]);
    expect(r.accepted).toBe(0);
    expect(await caseCount()).toBe(before);
  });

  it('takes the same mail appended twice once', async () => {
    const basic = eml('mikel-mail/plain_emails/basic_email.eml');
    await append(basic, basic);
    const r = await poll();
    expect(r).toMatchObject({ fetched: 2, accepted: 1, duplicates: 1 });
    const n = await db()
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('author_address', '=', 'test@lindsaar.net')
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it('parks a broken mail with its reason and takes the next one', async () => {
    await append(
      eml('mikel-mail/rfc2822/example13.eml'),
      eml('mikel-mail/plain_emails/raw_email_simple.eml'),
    );
    const r = await poll();
    expect(r.parked).toHaveLength(1);
    expect(r.parked[0].reason).toBe('no usable From address');
    expect(r.accepted).toBe(1);
    const parked = await t.app.http.inject({
      method: 'GET',
      url: '/api/v1/admin/parked',
      headers: t.auth,
    });
    expect(parked.body).toContain('no usable From address');
    // A retry cannot make the mail usable: it is parked again, and nothing else stops.
    const retry = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/admin/parked/retry',
      headers: t.auth,
      payload: {},
    });
    expect(retry.statusCode, retry.body).toBeLessThan(300);
    await t.app.pipeline.drain();
    const health = await t.app.http.inject({
      method: 'GET',
      url: `/api/v1/channels/${channelId}`,
      headers: t.auth,
    });
    expect(health.json().health).toMatchObject({ status: 'ok', parkedEvents: 1 });
  });

  it('resumes after a restart without duplicates, and re-reads a rebuilt folder by Message-ID', async () => {
    const count = async () =>
      Number(
        (
          await db()
            .selectFrom('inbound_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    // A new app on the same database is a restarted desk: nothing new, nothing again.
    await t.app.close();
    t.app = await buildApp({ config: t.app.config });
    await t.app.start({ listen: false });
    const again = await poll();
    expect(again).toMatchObject({ fetched: 0, rescan: false });
    await append(eml('mikel-mail/plain_emails/raw_email_reply.eml'));
    const next = await poll();
    expect(next).toMatchObject({ fetched: 1, accepted: 1 });
    expect(await count()).toBe(before + 1);
    // A forgotten UIDVALIDITY (a folder rebuilt by the server) re-reads everything: deduped.
    const state = await db()
      .selectFrom('channel_state')
      .select('cursors_json')
      .where('channel_id', '=', channelId)
      .executeTakeFirstOrThrow();
    const cursors = JSON.parse(state.cursors_json);
    cursors.imap.uidValidity = '1';
    await db()
      .updateTable('channel_state')
      .set({ cursors_json: JSON.stringify(cursors) })
      .where('channel_id', '=', channelId)
      .execute();
    const rescan = await poll();
    expect(rescan.rescan).toBe(true);
    expect(rescan.fetched).toBeGreaterThan(10);
    expect(rescan.accepted).toBe(0);
    expect(await count()).toBe(before + 1);
  });

  it('polls in the background at the configured interval', async () => {
    await imap.mailboxCreate('Timer');
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: t.auth,
      payload: {
        kind: 'email',
        name: 'Timer folder',
        config: {
          imap: {
            host: dovecot.host,
            port: dovecot.port,
            tls: false,
            user: dovecot.user,
            mailbox: 'Timer',
            pollIntervalSeconds: 1,
          },
        },
        secrets: { imapPassword: dovecot.password },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    await imap.append('Timer', eml('mikel-mail/plain_emails/raw_email_trailing_dot.eml'));
    const id = '<20080922190628.8FB1518581AC@rubyforge.org>';
    const deadline = Date.now() + 15_000;
    while (!(await byExternalId(id)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      await t.app.pipeline.drain();
    }
    expect((await byExternalId(id))?.channel_id).toBe(res.json().id);
  });

  it('reads a mail over 8 MB up to 8 MB and cuts its text like every channel', async () => {
    const line = 'The modem log says: DSL sync lost, retraining, sync lost again.\r\n';
    const big = [
      'From: Big Log <biglog@example.org>',
      'To: mary@example.net',
      'Subject: Modem log attached inline',
      'Date: Thu, 03 Dec 2026 13:00:00 +0000',
      'Message-ID: <big-1@example.org>',
      '',
      line.repeat(Math.ceil((9 * 1024 * 1024) / line.length)),
    ].join('\r\n');
    await append(big);
    const r = await poll();
    expect(r).toMatchObject({ fetched: 1, accepted: 1, parked: [] });
    const m = await byExternalId('<big-1@example.org>');
    expect(m?.text.length).toBeLessThanOrEqual(100_000);
    expect(m?.text).toMatch(/… \[truncated: \d+ characters\]$/);
  });

  it('marks a refused IMAP login auth_revoked and never shows the password', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: t.auth,
      payload: {
        kind: 'email',
        name: 'Wrong password',
        config: {
          imap: { host: dovecot.host, port: dovecot.port, tls: false, user: dovecot.user },
        },
        secrets: { imapPassword: 'wrong-imap-password-never-shown' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    const polled = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/channels/${id}/poll`,
      headers: t.auth,
    });
    expect(polled.json().results[0].error).toMatch(/^auth_revoked: IMAP authentication failed/);
    const view = await t.app.http.inject({
      method: 'GET',
      url: `/api/v1/channels/${id}`,
      headers: t.auth,
    });
    expect(view.json().health.status).toBe('auth_revoked');
    expect(polled.body + view.body).not.toContain('wrong-imap-password-never-shown');
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
