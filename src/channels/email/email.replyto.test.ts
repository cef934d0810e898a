import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { appendInbound } from '../../ingest/inbound.log.js';
import { ImapDesk } from './email.inbound.harness.js';

/** A web form's mail: sent by the form's noreply address on behalf of the visitor (Reply-To). */
const formMail = (n: number, replyTo = `Person ${n} <person${n}@home.example>`) =>
  [
    'From: Website Contact Form <noreply@forms.acme.example>',
    ...(replyTo ? [`Reply-To: ${replyTo}`] : []),
    'To: Mary Smith <mary@example.net>',
    `Subject: Contact form: question ${n}`,
    'Date: Thu, 03 Dec 2026 10:00:00 +0000',
    `Message-ID: <form-${n}@forms.acme.example>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Question number ${n} from the website.`,
    '',
  ].join('\r\n');

/**
 * Reply-To through a real IMAP server and the pipeline: the visitor of a web form is the
 * customer, answered at their address, never linked by it to a verified customer.
 */
describe.each(ENGINES)('e-mail Reply-To over IMAP on %s', (engine) => {
  let d: ImapDesk;
  beforeAll(async () => {
    d = await ImapDesk.start(engine);
  });
  afterAll(async () => {
    await d?.close();
  });

  const identity = (channel: string, address: string) =>
    d
      .db()
      .selectFrom('identities')
      .selectAll()
      .where('channel', '=', channel)
      .where('address', '=', address)
      .executeTakeFirstOrThrow();

  it('makes each Reply-To person a customer of their own, answered at their address', async () => {
    // Person 1 is already a customer, verified on web chat by this e-mail address.
    await appendInbound(
      d.db(),
      d.t.app.workspace.workspaceId,
      [
        aMessage({
          channel: 'webchat',
          visibility: 'private',
          author: { id: 'person1@home.example', name: 'Person One', verified: true },
          text: 'Hello from the chat',
          sentAt: '2026-12-01T10:00:00.000Z',
        }),
      ],
      Date.now(),
    );
    await d.t.app.pipeline.drain();
    const chat = await identity('webchat', 'person1@home.example');

    await d.append(formMail(1), formMail(2), formMail(3, ''));
    expect(await d.poll()).toMatchObject({ accepted: 3, parked: [], skipped: [] });
    const one = await d.byExternalId('<form-1@forms.acme.example>');
    const two = await d.byExternalId('<form-2@forms.acme.example>');
    expect(one).toMatchObject({ author_address: 'person1@home.example', author_name: 'Person 1' });
    expect(two).toMatchObject({ author_address: 'person2@home.example', author_name: 'Person 2' });
    expect(one!.case_id).not.toBe(two!.case_id);
    expect(one!.customer_id).not.toBe(two!.customer_id);
    // No Reply-To: the From is the customer, as before.
    expect(await d.byExternalId('<form-3@forms.acme.example>')).toMatchObject({
      author_address: 'noreply@forms.acme.example',
      author_name: 'Website Contact Form',
    });
    // The Reply-To address is unverified: no key, so it did not join the verified chat customer.
    const mailed = await identity('email', 'person1@home.example');
    expect(mailed).toMatchObject({ verified: 0, link_key: null });
    expect(mailed.customer_id).not.toBe(chat.customer_id);
    expect(one!.customer_id).toBe(mailed.customer_id);

    // Our answer goes to the person, and their reply from their own mailbox joins their case.
    const reply = await d.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/cases/${one!.case_id}/replies`,
      headers: d.t.auth,
      payload: { text: 'Hello, thanks for your question.' },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    await d.t.app.outbox.runOnce();
    const got = d.smtp.received.at(-1)!;
    expect(got.to).toEqual(['person1@home.example']);
    const ourId = (await simpleParser(got.raw)).messageId!;
    await d.append(
      [
        'From: Person 1 <person1@home.example>',
        'To: Mary Smith <mary@example.net>',
        'Subject: Re: Contact form: question 1',
        'Date: Thu, 03 Dec 2026 12:00:00 +0000',
        'Message-ID: <p1-answer@home.example>',
        `In-Reply-To: ${ourId}`,
        `References: <form-1@forms.acme.example> ${ourId}`,
        '',
        'Thanks, that answers it.',
        '',
      ].join('\r\n'),
    );
    expect(await d.poll()).toMatchObject({ accepted: 1 });
    expect(await d.byExternalId('<p1-answer@home.example>')).toMatchObject({
      case_id: one!.case_id,
      customer_id: one!.customer_id,
    });
  });

  it('keeps the From when Reply-To is the From, one of ours, or several people', async () => {
    const cases = [
      ['<form-10@forms.acme.example>', 'Form <NoReply@forms.acme.example>'],
      ['<form-11@forms.acme.example>', 'Desk <mary@example.net>'],
      ['<form-12@forms.acme.example>', 'a@home.example, b@home.example'],
    ] as const;
    await d.append(...cases.map(([, r], i) => formMail(10 + i, r)));
    expect(await d.poll()).toMatchObject({ accepted: 3 });
    for (const [id] of cases) {
      expect((await d.byExternalId(id))?.author_address, id).toBe('noreply@forms.acme.example');
    }
  });
});
