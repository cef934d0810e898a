import { type Static, Type } from '@sinclair/typebox';
import type { ChannelRecord } from '../channel.types.js';

/** An outgoing mailbox reached over SMTP (RFC 5321). */
export const EmailConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s/]+$' }),
    port: Type.Integer({ minimum: 1, maximum: 65_535 }),
    /** TLS from the first byte (port 465). False: plain connect, STARTTLS when offered (587). */
    secure: Type.Boolean(),
    /** Sender address, optionally with a display name: `Kestrel Care <care@kestrel.example>`. */
    from: Type.String({ minLength: 3, maxLength: 400, pattern: '@' }),
    /** SMTP AUTH user; without it we send unauthenticated (a relay that trusts our address). */
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
  },
  { additionalProperties: false },
);
export type EmailConfig = Static<typeof EmailConfigSchema>;

export const EmailSecretsSchema = Type.Object(
  { password: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
  { additionalProperties: false },
);
export type EmailSecrets = Static<typeof EmailSecretsSchema>;
export type EmailChannel = ChannelRecord<EmailConfig, EmailSecrets>;
