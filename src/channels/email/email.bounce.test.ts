import { describe, expect, it } from 'vitest';
import { classifyMail } from './email.parse.js';

const ctx = { channelId: 'ch-1', ownAddresses: new Set(['care@acme.test']) };
const classify = (...lines: string[]) =>
  classifyMail(Buffer.from([...lines, ''].join('\r\n'), 'latin1'), ctx);
const head = (from: string, subject: string, ...extra: string[]) => [
  `From: ${from}`,
  'To: care@acme.test',
  `Subject: ${subject}`,
  'Date: Mon, 1 Jun 2026 10:00:00 +0000',
  `Message-ID: <${Math.random().toString(36).slice(2)}@mx.cust.test>`,
  ...extra,
];

describe('bounces without a delivery status report', () => {
  it("takes qmail's failure notice for a bounce of the message it quotes", async () => {
    const qmail = [
      ...head('MAILER-DAEMON@mx.cust.test', 'failure notice'),
      '',
      'Hi. This is the qmail-send program at mx.cust.test.',
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
      "This is a permanent error; I've given up. Sorry it didn't work out.",
      '',
      '<bob@cust.test>:',
      'Sorry, no mailbox here by that name. (#5.1.1)',
      '',
      '--- Below this line is a copy of the message.',
      '',
      'Message-ID: <R1@acme.test>',
      'From: care@acme.test',
    ];
    const failed = {
      kind: 'bounce',
      failed: ['<R1@acme.test>'],
      reason: 'delivery failed',
      // The line with the enhanced status code (RFC 3463) is the server's reason.
      error: {
        code: '5.1.1',
        reason: 'E-mail bounced (5.1.1): Sorry, no mailbox here by that name. (#5.1.1)',
      },
    };
    expect(await classify(...qmail)).toEqual(failed);
    // Relayed by a server that rewrote the sender: the text alone says what it is.
    qmail[0] = 'From: Mail System <mail@mx.cust.test>';
    expect(await classify(...qmail)).toEqual(failed);
  });

  it("takes any mail from a mail system's own mailbox for a bounce, and a delay for a warning", async () => {
    expect(
      await classify(
        ...head(
          'Mail Delivery System <postmaster@mx.cust.test>',
          'Undelivered Mail Returned to Sender',
        ),
        '',
        'This is the mail system at host mx.cust.test.',
        "I'm sorry to have to inform you that your message could not be delivered.",
      ),
    ).toEqual({ kind: 'bounce', failed: [], reason: 'delivery failed' });
    expect(
      await classify(
        ...head('MAILER-DAEMON@mx.cust.test', 'Warning: could not send message for past 4 hours'),
        '',
        'THIS IS A WARNING MESSAGE ONLY. YOU DO NOT NEED TO RESEND YOUR MESSAGE.',
        'Message-ID: <R2@acme.test>',
      ),
    ).toEqual({ kind: 'bounce', failed: [], reason: 'delivery delayed (warning only)' });
  });

  it('takes a null-sender mail saying delivery failed for a bounce', async () => {
    expect(
      await classify(
        ...head(
          'Mail Gateway <gateway@mx.cust.test>',
          'Returned mail: see transcript',
          'Return-Path: <>',
        ),
        '',
        'The message could not be delivered to bob@cust.test.',
        'Message-ID: <R3@acme.test>',
      ),
    ).toEqual({ kind: 'bounce', failed: ['<R3@acme.test>'], reason: 'delivery failed' });
  });
});

describe('the reason a bounce gives', () => {
  const dsn = (...fields: string[]) =>
    classify(
      ...head('MAILER-DAEMON@mx.cust.test', 'Undelivered Mail Returned to Sender'),
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Delivery failed.',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.cust.test',
      '',
      'Final-Recipient: rfc822; ok@cust.test',
      'Action: delivered',
      'Status: 2.0.0',
      '',
      'Final-Recipient: rfc822; bob@cust.test',
      'Action: failed',
      ...fields,
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      'Status: RO',
      'Message-ID: <R9@acme.test>',
      '--b--',
    );

  it("takes the failed recipient's Status and Diagnostic-Code, not a delivered one's or the copy's", async () => {
    expect(
      await dsn(
        'Status: 5.2.2',
        'Diagnostic-Code: smtp; 552-5.2.2 The email account that you tried to reach is',
        '    over quota.',
      ),
    ).toEqual({
      kind: 'bounce',
      failed: ['<R9@acme.test>'],
      reason: 'delivery failed',
      error: {
        code: '5.2.2',
        reason:
          'E-mail bounced (5.2.2): smtp; 552-5.2.2 The email account that you tried to reach is over quota.',
      },
    });
    expect((await dsn('Status: 5.0.0')) as { error?: unknown }).toMatchObject({
      error: { code: '5.0.0', reason: 'E-mail bounced (5.0.0): no diagnostic given' },
    });
  });

  it('blanks what looks like a credential in the diagnostic and bounds its length', async () => {
    const c = (await dsn(
      'Status: 5.7.1',
      `Diagnostic-Code: smtp; 535 5.7.1 relay smtp://care:hunter2@relay.test password=hunter2 ${'x'.repeat(900)}`,
    )) as { error?: { reason: string } };
    expect(c.error?.reason).toMatch(
      /^E-mail bounced \(5\.7\.1\): smtp; 535 5\.7\.1 relay smtp:\/\/…@relay\.test password=…/,
    );
    expect(c.error?.reason).not.toContain('hunter2');
    expect(c.error!.reason.length).toBeLessThan(340);
  });
});

describe('auto-replies', () => {
  const vacation = (...extra: string[]) =>
    classify(...head('Bob <bob@cust.test>', 'Re: Router drops', ...extra), '', 'I am on vacation.');

  it('skips a null sender (RFC 3834 §3.3) and Precedence: list', async () => {
    expect(await vacation('Return-Path: <>')).toMatchObject({
      kind: 'skip',
      reason: 'null sender (Return-Path: <>)',
    });
    expect(await vacation('Precedence: list', 'List-Id: <news.lists.test>')).toMatchObject({
      kind: 'skip',
      reason: 'Precedence: list',
    });
    expect(await vacation('Return-Path: <bob@cust.test>')).toMatchObject({ kind: 'message' });
  });

  it('takes mail through a list that is our own support address for a customer', async () => {
    for (const list of ['List-Id: <care.acme.test>', 'List-Post: <mailto:care@acme.test>']) {
      expect(await vacation('Precedence: list', list), list).toMatchObject({ kind: 'message' });
    }
  });
});
