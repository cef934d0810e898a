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
});
