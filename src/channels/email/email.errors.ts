import { ConnectorError, scrubSecrets } from '../connector-error.js';

/** What nodemailer puts on its errors (nodemailer/lib/errors). */
interface SmtpError {
  code?: string;
  responseCode?: number;
  message?: string;
}

/** Network-level failures: nothing was accepted, try again later. */
const NETWORK = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ETLS']);

/**
 * Maps an SMTP failure to the connector taxonomy. RFC 5321 §4.2.1: a 4yz reply is a transient
 * negative completion (greylisting, mailbox busy, server shutting down) and is retried; a 5yz
 * reply is permanent and is not. Authentication failures (EAUTH, 530/534/535) mean the stored
 * credentials no longer work: the channel is marked unauthorised until an admin fixes them.
 * `secrets` are scrubbed from the message in case a server echoes what it was sent.
 */
export function fromSmtpError(
  err: unknown,
  secrets: readonly (string | undefined)[],
): ConnectorError {
  const e = (err ?? {}) as SmtpError;
  // Scrubbed before it is cut, so that a cut cannot leave half a secret behind.
  const message = scrubSecrets(String(e.message ?? err), secrets).slice(0, 500);
  const code = e.responseCode;
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || code === 530 || code === 534 || code === 535)
    return new ConnectorError(
      'auth_revoked',
      `SMTP authentication failed: ${message}`,
      undefined,
      code,
    );
  if (code !== undefined && code >= 400 && code < 500)
    return new ConnectorError('temporary', `SMTP ${code} (transient): ${message}`, undefined, code);
  if (code !== undefined && code >= 500)
    return new ConnectorError(
      'bad_request',
      `SMTP ${code} (permanent): ${message}`,
      undefined,
      code,
    );
  if (e.code && NETWORK.has(e.code))
    return new ConnectorError('temporary', `SMTP server unreachable (${e.code}): ${message}`);
  return new ConnectorError('unknown', `SMTP error${e.code ? ` ${e.code}` : ''}: ${message}`);
}
