import { type Static, Type } from '@sinclair/typebox';

/**
 * A provider base URL setting: http(s), and no user name or password in it. Credentials in a URL
 * are shown wherever the URL is (the channel's view, delivery errors, logs); they go in `secrets`.
 */
export const HTTP_URL_PATTERN = '^https?://[^\\s/?#@\\\\]+([/?#\\\\][^\\s]*)?$';

/**
 * The kinds of channel records this module manages. One `meta` record covers a Facebook Page,
 * its Instagram account and a WhatsApp Business number: Meta sends all of them to one webhook
 * signed with one app secret. Messages it produces are on channels `facebook`, `instagram` and
 * `whatsapp` with the record's id as `channelId`. `email` (email/) sends over SMTP, reads an
 * IMAP mailbox, or both; `sms` (a Twilio-style number, sms/) also has a webhook. Their customers'
 * messages may arrive through the inbound API without a `channelId`: the workspace's first
 * enabled record of the kind answers them.
 */
export const RECORD_KINDS = ['x', 'meta', 'email', 'sms'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const XConfigSchema = Type.Object(
  {
    /** Our X account's numeric user id (as a string): tweets and DMs from it are echoes. */
    accountId: Type.Optional(Type.String({ pattern: '^[0-9]{1,25}$' })),
    /** Our handle without @, used to tell solicited from unsolicited search results. */
    handle: Type.Optional(Type.String({ maxLength: 50 })),
    /** Provider base URL; tests point it at a fake server. */
    apiBaseUrl: Type.Optional(Type.String({ pattern: HTTP_URL_PATTERN, maxLength: 500 })),
    /** `webhook` (Account Activity) or `polling` (v2 mentions timeline). */
    mode: Type.Optional(Type.Union([Type.Literal('webhook'), Type.Literal('polling')])),
    pollIntervalSeconds: Type.Optional(Type.Integer({ minimum: 15, maximum: 86_400 })),
    /** Posts we may read per calendar month (UTC) by polling and listening; X bills by volume. */
    readBudgetPerMonth: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Posts asked for per page (X allows 5–100 for mentions, 10–100 for search). */
    pageSize: Type.Optional(Type.Integer({ minimum: 5, maximum: 100 })),
    /** Pages fetched per poll at most. */
    maxPagesPerPoll: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    /** Listening: recent-search queries for posts about us that do not mention us. */
    listenQueries: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 512 }))),
  },
  { additionalProperties: false },
);
export type XConfig = Static<typeof XConfigSchema>;

export const XSecretsSchema = Type.Object(
  {
    /** API key secret: signs the CRC answer and webhook deliveries. */
    consumerSecret: Type.String({ minLength: 1 }),
    /** OAuth 2.0 app-only bearer token (recent search). */
    bearerToken: Type.Optional(Type.String({ minLength: 1 })),
    /** OAuth 2.0 user-context access token of our account (mentions, posting, DMs). */
    userAccessToken: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type XSecrets = Static<typeof XSecretsSchema>;

export const WhatsAppTemplateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 512 }),
    language: Type.String({ minLength: 2, maxLength: 15 }),
  },
  { additionalProperties: false },
);

export const MetaConfigSchema = Type.Object(
  {
    /** Graph API base URL (default https://graph.facebook.com); tests use a fake server. */
    graphBaseUrl: Type.Optional(Type.String({ pattern: HTTP_URL_PATTERN, maxLength: 500 })),
    graphVersion: Type.Optional(Type.String({ pattern: '^v[0-9]+\\.[0-9]+$' })),
    /**
     * Our Facebook Page id: posts, comments and messages from it are echoes. Instagram messages
     * are sent through it too (the Page linked to the Instagram account: meta.sender.ts).
     */
    pageId: Type.Optional(Type.String({ pattern: '^[0-9]{1,25}$' })),
    /** Our Instagram professional account id (its webhooks' entry id; our own comments). */
    instagramAccountId: Type.Optional(Type.String({ pattern: '^[0-9]{1,25}$' })),
    /** WhatsApp Business phone number id (Cloud API). */
    whatsappPhoneNumberId: Type.Optional(Type.String({ pattern: '^[0-9]{1,25}$' })),
    /**
     * Approved template sent when the WhatsApp 24-hour window is closed; its body must take one
     * parameter, which carries the agent's text put on one line (at most 1024 characters:
     * meta/meta.template.ts).
     */
    whatsappTemplate: Type.Optional(WhatsAppTemplateSchema),
    /** Use Messenger/Instagram's HUMAN_AGENT tag (7 days) once the 24-hour window closed. */
    humanAgentTag: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type MetaConfig = Static<typeof MetaConfigSchema>;

export const MetaSecretsSchema = Type.Object(
  {
    /** App secret: X-Hub-Signature-256 and appsecret_proof. */
    appSecret: Type.String({ minLength: 1 }),
    /** The token we chose when subscribing the webhook (hub.verify_token). */
    verifyToken: Type.String({ minLength: 1 }),
    /** Page access token (Messenger, Page feed, Instagram). */
    pageAccessToken: Type.Optional(Type.String({ minLength: 1 })),
    /** System-user token for the WhatsApp Cloud API. */
    whatsappToken: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type MetaSecrets = Static<typeof MetaSecretsSchema>;

export interface ChannelRecord<C = Record<string, unknown>, S = Record<string, string>> {
  id: string;
  workspaceId: string;
  kind: RecordKind;
  name: string;
  config: C;
  secrets: S;
  createdAt: number;
  disabledAt: number | null;
}
export type XChannel = ChannelRecord<XConfig, XSecrets>;
export type MetaChannel = ChannelRecord<MetaConfig, MetaSecrets>;

export const DEFAULT_X_BASE_URL = 'https://api.x.com';
export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v21.0';
