import { describe, expect, it } from 'vitest';
import { fromSmtpError } from './email.errors.js';
import { angle, replySubject, senderDomain } from './email.sender.js';

describe('SMTP failures in the connector taxonomy', () => {
  const err = (code: string | undefined, responseCode: number | undefined, message: string) =>
    Object.assign(new Error(message), { code, responseCode });

  it('retries transient and network failures, fails permanent ones, flags refused logins', () => {
    expect(fromSmtpError(err('EENVELOPE', 452, '452 4.2.2 Mailbox full'), []).kind).toBe(
      'temporary',
    );
    expect(fromSmtpError(err('EMESSAGE', 554, '554 5.7.1 Rejected'), []).kind).toBe('bad_request');
    expect(fromSmtpError(err('ECONNECTION', undefined, 'connect ECONNREFUSED'), []).kind).toBe(
      'temporary',
    );
    expect(fromSmtpError(err('ETIMEDOUT', undefined, 'Greeting never received'), []).kind).toBe(
      'temporary',
    );
    expect(fromSmtpError(err('EAUTH', 535, 'Invalid login: 535 5.7.8'), []).kind).toBe(
      'auth_revoked',
    );
    expect(fromSmtpError(err(undefined, undefined, 'odd'), []).kind).toBe('unknown');
  });

  it('scrubs the password from a message a server echoed', () => {
    const ce = fromSmtpError(err('EAUTH', 535, 'Invalid login for care / hunter2-secret'), [
      'hunter2-secret',
    ]);
    expect(ce.message).not.toContain('hunter2-secret');
    expect(ce.message).toContain('***');
  });
});

describe('email headers', () => {
  it('threads, titles and names our messages', () => {
    expect(senderDomain('Kestrel Care <Care@Kestrel.Example>')).toBe('kestrel.example');
    expect(senderDomain('not an address')).toBe('throughline.invalid');
    expect(angle('abc@x')).toBe('<abc@x>');
    expect(angle(' <abc@x> ')).toBe('<abc@x>');
    expect(replySubject('Internet down')).toBe('Re: Internet down');
    expect(replySubject('RE: Internet down')).toBe('RE: Internet down');
    expect(replySubject('  ')).toBe('Update on your request');
  });
});
