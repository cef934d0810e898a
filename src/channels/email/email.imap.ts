import type { ImapFlow } from 'imapflow';
import { ConnectorError, scrubSecrets } from '../connector-error.js';
import type { EmailChannel, ImapConfig } from './email.types.js';

/** A record whose IMAP side is configured. */
export type ImapChannel = EmailChannel & { config: { imap: ImapConfig } };
export const canReceive = (ch: EmailChannel): ch is ImapChannel => ch.config.imap !== undefined;

/** What imapflow puts on its errors. */
interface ImapError {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
}

/**
 * Maps an IMAP failure to the connector taxonomy: a refused login marks the channel
 * `auth_revoked` (RFC 5530 AUTHENTICATIONFAILED), a missing folder is a setting to fix
 * (`bad_request`), network trouble and UNAVAILABLE are retried on the next poll. The password is
 * scrubbed in case a server echoes what it was sent.
 */
export function fromImapError(err: unknown, secrets: readonly (string | undefined)[]) {
  const e = (err ?? {}) as ImapError;
  const text = [e.message, e.responseText].filter(Boolean).join(': ') || String(err);
  const message = scrubSecrets(text, secrets).slice(0, 500);
  if (e.serverResponseCode === 'UNAVAILABLE')
    return new ConnectorError('temporary', `IMAP server unavailable: ${message}`);
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED')
    return new ConnectorError('auth_revoked', `IMAP authentication failed: ${message}`);
  if (e.serverResponseCode === 'NONEXISTENT' || e.serverResponseCode === 'TRYCREATE')
    return new ConnectorError('bad_request', `IMAP mailbox not found: ${message}`);
  if (e.code && /^E[A-Z]+$/.test(e.code))
    return new ConnectorError('temporary', `IMAP server unreachable (${e.code}): ${message}`);
  return new ConnectorError('unknown', `IMAP error: ${message}`);
}

/** A connected, logged-in client (the caller logs out). Never logs: no credentials or bodies. */
export async function connectImap(ch: ImapChannel): Promise<ImapFlow> {
  const { host, port, tls, user } = ch.config.imap;
  // Loaded on first use: it costs every CLI command and server start a second otherwise, and
  // most desks read no mailbox.
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host,
    port,
    secure: tls,
    auth: { user, pass: ch.secrets.imapPassword ?? '' },
    logger: false,
    // Fail fast: a stuck poll would hold the channel's turn; the next poll retries.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    // One poll is one short session; nothing waits on server pushes.
    disableAutoIdle: true,
  });
  // A socket error after connect is raised as an event; unhandled it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw fromImapError(err, [ch.secrets.imapPassword]);
  }
  return client;
}

/** Logs in and opens the folder read-only, without fetching anything. */
export async function imapTestConnection(ch: ImapChannel): Promise<Record<string, string>> {
  const client = await connectImap(ch);
  const mailbox = ch.config.imap.mailbox ?? 'INBOX';
  try {
    const status = await client.status(mailbox, { messages: true, uidValidity: true });
    const messages = status ? String(status.messages ?? 0) : '0';
    return { imapHost: ch.config.imap.host, mailbox, messages };
  } catch (err) {
    throw fromImapError(err, [ch.secrets.imapPassword]);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
