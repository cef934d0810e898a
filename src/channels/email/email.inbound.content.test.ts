import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../../test/support/engines.js';
import { ImapDesk } from './email.inbound.harness.js';

/** A mail as a customer's client writes it (CRLF lines). */
function mail(o: {
  from: string;
  id: string;
  subject: string;
  body: string;
  inReplyTo?: string;
  headers?: string[];
}): string {
  return [
    `From: ${o.from}`,
    'To: Mary Smith <mary@example.net>',
    `Subject: ${o.subject}`,
    'Date: Thu, 03 Dec 2026 10:00:00 +0000',
    `Message-ID: ${o.id}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    ...(o.headers ?? ['Content-Type: text/plain; charset=utf-8']),
    '',
    ...o.body.split('\n'),
    '',
  ].join('\r\n');
}

/**
 * What a mail's text becomes, and which mails are no customer, through a real IMAP server (a
 * throwaway Dovecot) and the pipeline: the QA-4 report's mails.
 */
describe.each(ENGINES)('e-mail content over IMAP on %s', (engine) => {
  let d: ImapDesk;
  beforeAll(async () => {
    d = await ImapDesk.start(engine);
  });
  afterAll(async () => {
    await d?.close();
  });

  /** A customer's first mail and our answer to it, sent over SMTP; our Message-ID. */
  async function conversation(n: number) {
    await d.append(
      mail({
        from: 'Ana Lima <ana@example.com>',
        id: `<ana-${n}@example.com>`,
        subject: 'Router drops',
        body: 'My router drops every evening.',
      }),
    );
    await d.poll();
    const c = await d.caseOf(`<ana-${n}@example.com>`);
    const reply = await d.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.id}/replies`,
      headers: d.t.auth,
      payload: { text: 'Hello Ana, what is your account number?' },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    await d.t.app.outbox.runOnce();
    const sent = await simpleParser(d.smtp.received.at(-1)!.raw);
    return { caseId: c.id as string, ourId: sent.messageId! };
  }

  it('keeps an answer written inline below the quoted question', async () => {
    const { caseId, ourId } = await conversation(1);
    const body = [
      'Hi,',
      'see inline.',
      '',
      'On Thu, 3 Dec 2026 at 09:00, Mary Smith <mary@example.net> wrote:',
      '> Hello Ana, what is your account number?',
      'It is 998877.',
    ].join('\n');
    await d.append(
      mail({
        from: 'Ana Lima <ana@example.com>',
        id: '<ana-inline@example.com>',
        subject: 'Re: Router drops',
        inReplyTo: ourId,
        body,
      }),
    );
    expect(await d.poll()).toMatchObject({ accepted: 1 });
    const m = await d.byExternalId('<ana-inline@example.com>');
    expect(m?.case_id).toBe(caseId);
    expect(m?.text).toBe(body);
  });

  it('opens no case for a qmail bounce, a postmaster bounce or a null-sender vacation reply; the bounce fails ours', async () => {
    const { ourId } = await conversation(2);
    const before = await d.count('cases');
    const qmail = [
      'From: MAILER-DAEMON@mx.example.com',
      'To: mary@example.net',
      'Subject: failure notice',
      'Date: Thu, 03 Dec 2026 11:00:00 +0000',
      'Message-ID: <qmail-1@mx.example.com>',
      '',
      'Hi. This is the qmail-send program at mx.example.com.',
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
      '',
      '<ana@example.com>:',
      'Sorry, no mailbox here by that name. (#5.1.1)',
      '',
      '--- Below this line is a copy of the message.',
      '',
      `Message-ID: ${ourId}`,
      'From: mary@example.net',
      '',
    ].join('\r\n');
    const postfix = mail({
      from: 'Mail Delivery System <postmaster@mx.example.com>',
      id: '<postfix-1@mx.example.com>',
      subject: 'Undelivered Mail Returned to Sender',
      body: 'I am sorry to have to inform you that your message could not be delivered.',
    });
    const vacation = mail({
      from: 'Bob <bob@example.com>',
      id: '<vacation-1@example.com>',
      subject: 'Re: Router drops',
      inReplyTo: ourId,
      headers: ['Return-Path: <>', 'Content-Type: text/plain; charset=utf-8'],
      body: 'I am on vacation until 10 June and have no access to e-mail.',
    });
    await d.append(qmail, postfix, vacation);
    const r = await d.poll();
    expect(r).toMatchObject({ accepted: 0, bounces: 2, failedMarks: 1 });
    expect(r.skipped.map((s) => s.reason)).toEqual(['null sender (Return-Path: <>)']);
    expect(await d.count('cases')).toBe(before);
    expect((await d.byExternalId(ourId))?.status).toBe('failed');
  });

  it('reopens no resolved case for an Exchange or subject-only out-of-office; a person answering one does', async () => {
    const { caseId, ourId } = await conversation(3);
    const resolve = await d.t.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/cases/${caseId}`,
      headers: d.t.auth,
      payload: { status: 'resolved' },
    });
    expect(resolve.statusCode, resolve.body).toBe(200);
    const before = await d.count('cases');
    const away = (n: number, subject: string, headers: string[] = []) =>
      mail({
        from: 'Ana Lima <ana@example.com>',
        id: `<ana-away-${n}@example.com>`,
        subject,
        inReplyTo: ourId,
        headers: [...headers, 'Content-Type: text/plain; charset=utf-8'],
        body: 'I am away until Monday.',
      });
    await d.append(
      away(1, 'Re: Router drops', ['X-Auto-Response-Suppress: All']),
      away(2, 'I am out of the office until 14/12/2026.'),
      away(3, 'Automatic reply: Router drops'),
    );
    const r = await d.poll();
    expect(r).toMatchObject({ accepted: 0 });
    expect(r.skipped.map((s) => s.reason)).toEqual([
      'X-Auto-Response-Suppress: all',
      'out-of-office subject',
      'out-of-office subject',
    ]);
    expect(await d.count('cases')).toBe(before);
    expect(await d.byExternalId('<ana-away-1@example.com>')).toBeUndefined();
    const after = await d.t.app.http.inject({
      method: 'GET',
      url: `/api/v1/cases/${caseId}`,
      headers: d.t.auth,
    });
    expect(after.json().status).toBe('resolved');
    // The customer answering the out-of-office thread, in words: a message of the case again.
    await d.append(
      mail({
        from: 'Ana Lima <ana@example.com>',
        id: '<ana-back@example.com>',
        subject: 'RE: Automatic reply: Router drops',
        inReplyTo: ourId,
        body: 'I was out of the office and my internet broke again.',
      }),
    );
    expect(await d.poll()).toMatchObject({ accepted: 1, skipped: [] });
    expect((await d.byExternalId('<ana-back@example.com>'))?.case_id).toBe(caseId);
    expect((await d.caseOf('<ana-back@example.com>')).status).toBe('open');
  });

  it('reads undeclared Latin-1 as Windows-1252, and keeps pixels and script links out of HTML text', async () => {
    const latin1 = Buffer.from(
      mail({
        from: 'Jonas <jonas@example.com>',
        id: '<latin1-1@example.com>',
        subject: 'Kaputt',
        headers: ['Content-Type: text/plain'],
        body: 'Mein Ger\xe4t ist kaputt, Gr\xfc\xdfe \x80',
      }),
      'latin1',
    );
    const html = mail({
      from: 'Ana Lima <ana@example.com>',
      id: '<html-1@example.com>',
      subject: 'Broken router',
      headers: ['MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8'],
      body: '<p>My router is broken</p><img src="https://track.example/pixel.gif?u=1" width=1 height=1><a href="javascript:alert(1)">click</a>',
    });
    await d.append(latin1, html);
    expect(await d.poll()).toMatchObject({ accepted: 2 });
    expect((await d.byExternalId('<latin1-1@example.com>'))?.text).toBe(
      'Mein Gerät ist kaputt, Grüße €',
    );
    expect((await d.byExternalId('<html-1@example.com>'))?.text).toBe(
      'My router is broken\n\nclick',
    );
  });
});
