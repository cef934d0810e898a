import { type Static, Type } from '@sinclair/typebox';
import type { ChannelRecord } from '../channel.types.js';

/** The mailbox we read customers' mail from over IMAP (RFC 9051), polled by email.poll.ts. */
export const ImapConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s/]+$' }),
    port: Type.Integer({ minimum: 1, maximum: 65_535 }),
    /** TLS from the first byte (port 993). False: plain connect, STARTTLS when offered (143). */
    tls: Type.Boolean(),
    user: Type.String({ minLength: 1, maxLength: 320 }),
    /** The folder to read; INBOX when left out. */
    mailbox: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** Seconds between polls (default 30). */
    pollIntervalSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  },
  { additionalProperties: false },
);
export type ImapConfig = Static<typeof ImapConfigSchema>;

/**
 * A support mailbox: SMTP (RFC 5321) to send replies and notifications, IMAP to receive
 * customers' mail, or both. The SMTP fields come together (host, port, from) or not at all, and a
 * record has at least one side (`emailConfigProblem`).
 */
export const EmailConfigSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s/]+$' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
    /** TLS from the first byte (port 465). False: plain connect, STARTTLS when offered (587). */
    secure: Type.Optional(Type.Boolean()),
    /** Sender address, optionally with a display name: `Kestrel Care <care@kestrel.example>`. */
    from: Type.Optional(Type.String({ minLength: 3, maxLength: 400, pattern: '@' })),
    /** SMTP AUTH user; without it we send unauthenticated (a relay that trusts our address). */
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    imap: Type.Optional(ImapConfigSchema),
  },
  { additionalProperties: false },
);
export type EmailConfig = Static<typeof EmailConfigSchema>;

export const EmailSecretsSchema = Type.Object(
  {
    /** SMTP AUTH password. */
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    /** IMAP LOGIN password. */
    imapPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type EmailSecrets = Static<typeof EmailSecretsSchema>;
export type EmailChannel = ChannelRecord<EmailConfig, EmailSecrets>;

/** A record that can send: its SMTP side is configured. */
export type SmtpConfig = EmailConfig & { host: string; port: number; from: string };
export const canSend = (c: EmailConfig): c is SmtpConfig =>
  c.host !== undefined && c.port !== undefined && c.from !== undefined;

/** What the schema cannot say: SMTP fields all or none, at least one side, IMAP needs its password. */
export function emailConfigProblem(config: EmailConfig, secrets: EmailSecrets): string | undefined {
  const smtp = [config.host, config.port, config.from].filter((v) => v !== undefined).length;
  if (smtp > 0 && smtp < 3) return '/config host, port and from are needed together (SMTP)';
  if (smtp === 0 && !config.imap) return '/config needs SMTP (host, port, from) or imap or both';
  if (config.imap && !secrets.imapPassword) return '/secrets/imapPassword is needed with imap';
  return undefined;
}
