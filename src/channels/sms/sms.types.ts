import { type Static, Type } from '@sinclair/typebox';
import { type ChannelRecord, HTTP_URL_PATTERN } from '../channel.types.js';

/** An SMS number on a Twilio-compatible Programmable Messaging API. */
export const SmsConfigSchema = Type.Object(
  {
    /** Twilio Account SID: `AC` and 32 hex digits. */
    accountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }),
    /** Our number in E.164. */
    from: Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' }),
    /** API base URL (default https://api.twilio.com); tests point it at a fake server. */
    apiBaseUrl: Type.Optional(Type.String({ pattern: HTTP_URL_PATTERN, maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type SmsConfig = Static<typeof SmsConfigSchema>;

export const SmsSecretsSchema = Type.Object(
  { authToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type SmsSecrets = Static<typeof SmsSecretsSchema>;
export type SmsChannel = ChannelRecord<SmsConfig, SmsSecrets>;

export const DEFAULT_TWILIO_BASE_URL = 'https://api.twilio.com';
