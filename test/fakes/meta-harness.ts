import { afterAll, beforeAll, expect } from 'vitest';
import { type TestApp, testApp } from '../builders.js';
import type { Engine } from '../support/engines.js';
import { createChannel, deliverMeta, META_APP_SECRET, META_VERIFY_TOKEN } from './channels.js';
import { FakeMeta } from './meta-provider.js';
import { readSharedText } from './shared-data.js';

export const FBA = 'facebook-messenger-webhooks/courier-fba';
export const PAGE = '1234567890';
let psid = 60000;
/** A page-scoped id no other test has used. */
export const nextPsid = () => String(++psid);

/**
 * A Messenger webhook body: one `messaging` event on our Page from `sender` to `recipient` at `at`.
 * Messages, echoes, edits, deliveries and reads differ only in `event`, so tests write just that.
 */
export const messengerBody = (
  sender: string,
  recipient: string,
  event: Record<string, unknown>,
  at = Date.now(),
) =>
  JSON.stringify({
    object: 'page',
    entry: [
      {
        id: PAGE,
        time: at,
        messaging: [
          { sender: { id: sender }, recipient: { id: recipient }, timestamp: at, ...event },
        ],
      },
    ],
  });

/** A WhatsApp Cloud API webhook body: one `messages` change to our phone number id, with `value`. */
export const whatsappBody = (
  phoneId: string,
  value: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: 'WABA',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { ...metadata, phone_number_id: phoneId },
            ...value,
          },
        },
      ],
    },
  ],
});

/**
 * One app with a Meta channel wired to a fake Graph API on loopback, and the helpers the Meta
 * channel tests share. Helpers are arrow properties so tests can destructure them before
 * `start()` has run.
 */
export class MetaHarness {
  t!: TestApp;
  fake!: FakeMeta;
  ch!: string;

  async start(engine: Engine): Promise<this> {
    this.fake = await new FakeMeta(META_APP_SECRET).start();
    this.t = await testApp(engine);
    this.ch = await createChannel(this.t, {
      kind: 'meta',
      name: 'Acme on Meta',
      config: this.config(),
      secrets: this.secrets(),
    });
    return this;
  }

  /** Starts this harness on `engine` in the suite's beforeAll and closes it in its afterAll. */
  inSuite(engine: Engine): this {
    beforeAll(async () => {
      await this.start(engine);
    });
    afterAll(() => this.close());
    return this;
  }

  async close(): Promise<void> {
    await this.t?.close();
    await this.fake?.close();
  }

  db = () => this.t.app.database.db;

  secrets = () => ({
    appSecret: META_APP_SECRET,
    verifyToken: META_VERIFY_TOKEN,
    pageAccessToken: this.fake.pageToken,
    whatsappToken: this.fake.waToken,
  });

  config = (over: Record<string, unknown> = {}) => ({
    pageId: PAGE,
    whatsappPhoneNumberId: this.fake.phoneId,
    graphBaseUrl: this.fake.url,
    ...over,
  });

  msgBy = (externalId: string) =>
    this.db()
      .selectFrom('messages')
      .selectAll()
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();

  /** The delivery status of our stored message `id`, which receipts and watermarks move. */
  statusOf = async (id: string) =>
    (
      await this.db()
        .selectFrom('messages')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;

  reply = async (caseId: string, text: string, visibility?: 'public' | 'private') => {
    const res = await this.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/replies`,
      headers: this.t.auth,
      payload: { text, ...(visibility ? { visibility } : {}) },
    });
    expect(res.statusCode).toBeLessThan(300);
    return res.json().id as string;
  };

  /**
   * An agent's reply the channel's rules refuse at once (422): returns the error, after checking
   * that the case holds no reply and the outbox nothing for it.
   */
  refused = async (caseId: string, text: string, visibility?: 'public' | 'private') => {
    const outboxBefore = await this.db()
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await this.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/replies`,
      headers: this.t.auth,
      payload: { text, ...(visibility ? { visibility } : {}) },
    });
    expect(res.statusCode, res.body).toBe(422);
    const stored = await this.db()
      .selectFrom('messages')
      .select('text')
      .where('case_id', '=', caseId)
      .where('direction', '=', 'out')
      .where('text', '=', text)
      .execute();
    expect(stored).toEqual([]);
    const outboxAfter = await this.db()
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(outboxAfter.n)).toBe(Number(outboxBefore.n));
    return res.json().error as {
      code: string;
      message: string;
      details: { rule: string; channel: string; kind: string };
    };
  };

  outbox = (messageId: string) =>
    this.db()
      .selectFrom('outbox')
      .selectAll()
      .where('idempotency_key', '=', `send_message:${messageId}`)
      .executeTakeFirstOrThrow();

  /** A Messenger text from a fresh person at the given time; returns [psid, case id]. */
  messengerFrom = async (channelId: string, at: number, text = 'my bill is wrong') => {
    const who = nextPsid();
    const raw = readSharedText(FBA, 'hello_msg.json')
      .replaceAll('"5678"', `"${who}"`)
      .replaceAll('1459991487970', String(at))
      .replace('"external_id"', `"m_in_${who}"`)
      .replace('Hello World', text);
    expect((await deliverMeta(this.t, channelId, raw)).statusCode).toBe(200);
    await this.t.app.pipeline.drain();
    return [who, (await this.msgBy(`m_in_${who}`)).case_id!] as const;
  };
}
