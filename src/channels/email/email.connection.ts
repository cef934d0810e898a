import { fromSmtpError } from './email.errors.js';
import { canReceive, imapTestConnection } from './email.imap.js';
import { type SmtpChannel, singleTransport } from './email.pool.js';
import { canSend, type EmailChannel } from './email.types.js';

/** Connects, says EHLO and authenticates (nodemailer's verify), without sending anything. */
async function smtpTestConnection(ch: SmtpChannel): Promise<Record<string, string>> {
  const transport = singleTransport(ch);
  try {
    await transport.verify();
    return { host: ch.config.host, from: ch.config.from };
  } catch (err) {
    throw fromSmtpError(err, [ch.secrets.password]);
  } finally {
    transport.close();
  }
}

/** Tests each side the record has: SMTP login, then IMAP login and folder. */
export async function emailTestConnection(ch: EmailChannel): Promise<Record<string, string>> {
  let account: Record<string, string> = {};
  if (canSend(ch.config)) account = await smtpTestConnection(ch as SmtpChannel);
  if (canReceive(ch)) account = { ...account, ...(await imapTestConnection(ch)) };
  return account;
}
