import { describe, expect, it } from 'vitest';
import { classifyMail } from './email.parse.js';

const ctx = { channelId: 'ch-1', ownAddresses: new Set(['mary@example.net']) };

/** A mail from a customer to the desk with this subject, extra headers and body. */
const mail = (subject: string, headers: string[] = [], body = 'Thanks for your mail.') =>
  Buffer.from(
    [
      'From: Zoe <zoe@example.org>',
      'To: mary@example.net',
      `Subject: ${subject}`,
      'Date: Thu, 03 Dec 2026 12:00:00 +0000',
      'Message-ID: <zoe-1@example.org>',
      ...headers,
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n'),
  );

const kindOf = async (subject: string, headers: string[] = [], body?: string) =>
  (await classifyMail(mail(subject, headers, body), ctx)).kind;

describe('auto-replies by mail', () => {
  it('skips the out-of-office subjects of clients that set no header', async () => {
    for (const subject of [
      'Out of Office',
      'Out of Office: Router drops',
      'Out of Office AutoReply: Router drops',
      'Automatic reply: Re: Router drops',
      'Autoreply: Router drops',
      'AutoReply',
      '[Auto-Reply] Router drops',
      'I am out of the office',
      'I am out of the office until 12/12/2026.',
      'I will be out of the office starting 01/12/2026 and will not return until 14/12/2026.',
      'Jane Doe/Acme is out of the office.',
      'Abwesenheitsnotiz: Ihre Anfrage',
      'Automatische Antwort: Ihre Anfrage',
      'Réponse automatique : Votre demande',
      'RÉPONSE AUTOMATIQUE: Votre demande',
      'Respuesta automática: Su consulta',
      'Risposta automatica: La sua richiesta',
      'Automatisch antwoord: Uw vraag',
      // Folded by the sender's client: the subject's whitespace is not the vendor's.
      'Automatic\r\n  reply: Router drops',
    ]) {
      expect(await kindOf(subject), subject).toBe('skip');
    }
  });

  it('keeps a customer mail that only mentions being out of the office', async () => {
    for (const subject of [
      'Re: Out of Office: Router drops',
      'RE: Automatic reply: Router drops',
      'AW: Abwesenheitsnotiz: Ihre Anfrage',
      'Fwd: Re: Re: out of office',
      'Out of office hours support?',
      'Autoreply settings broken in your app',
      'I am out of the office and cannot log in',
      'Router drops',
    ]) {
      expect(await kindOf(subject), subject).toBe('message');
    }
    const body = 'I was out of the office and my internet broke. Out of Office: please call.';
    expect(await kindOf('Internet down', [], body)).toBe('message');
  });

  it("skips Exchange's X-Auto-Response-Suppress that suppresses auto-replies, not receipts", async () => {
    for (const value of ['All', 'OOF', 'AutoReply', 'DR, OOF, AutoReply', 'dr,oof']) {
      expect(
        await classifyMail(mail('Router drops', [`X-Auto-Response-Suppress: ${value}`]), ctx),
      ).toMatchObject({ kind: 'skip', reason: `X-Auto-Response-Suppress: ${value.toLowerCase()}` });
    }
    for (const value of ['None', 'DR, RN, NRN']) {
      expect(await kindOf('Router drops', [`X-Auto-Response-Suppress: ${value}`]), value).toBe(
        'message',
      );
    }
  });

  it('reads Auto-Submitted by its keyword; X-Autoreply and X-Autorespond are machines', async () => {
    expect(await kindOf('Router drops', ['Auto-Submitted: auto-replied'])).toBe('skip');
    expect(await kindOf('Router drops', ['Auto-Submitted: auto-generated; owner=x'])).toBe('skip');
    expect(await kindOf('Router drops', ['X-Autoreply: yes'])).toBe('skip');
    expect(await kindOf('Router drops', ['X-Autorespond: Router drops'])).toBe('skip');
    // RFC 3834 §5 lets "no" carry a comment or parameters: still a person.
    expect(await kindOf('Router drops', ['Auto-Submitted: no'])).toBe('message');
    expect(await kindOf('Router drops', ['Auto-Submitted: No (written by a person)'])).toBe(
      'message',
    );
  });
});

describe('replies to the desk’s escalation mails', () => {
  it('opens no case for a lead answering a problem escalation, whatever the client keeps', async () => {
    const id = '<escalation-0123456789abcdef0123456789abcdef@kestrel.example>';
    expect(
      await classifyMail(mail('Re: Problem #4 opened', [`In-Reply-To: ${id}`]), ctx),
    ).toMatchObject({
      kind: 'skip',
      reason: 'a reply to a problem escalation mail',
    });
    expect(await kindOf('Re: Problem #4 opened', [`References: <a@x.test> ${id}`])).toBe('skip');
    // A customer's own thread is theirs.
    expect(await kindOf('Re: Router drops', ['In-Reply-To: <case-77@kestrel.example>'])).toBe(
      'message',
    );
  });
});
