import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { createChannel, META_APP_SECRET } from '../../test/fakes/channels.js';
import { ENGINES } from '../../test/support/engines.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { chooseRoute } from './route.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

describe.each(ENGINES)('notification routes on %s', (engine) => {
  let t: TestApp;
  let withTemplate: string;
  let withoutTemplate: string;

  beforeAll(async () => {
    t = await testApp(engine);
    const meta = (name: string, template: boolean) =>
      createChannel(t, {
        kind: 'meta',
        name,
        config: {
          whatsappPhoneNumberId: '106540352242922',
          ...(template ? { whatsappTemplate: { name: 'case_update', language: 'en_US' } } : {}),
        },
        secrets: { appSecret: META_APP_SECRET, verifyToken: 'v', whatsappToken: 'wa' },
      });
    withTemplate = await meta('with template', true);
    withoutTemplate = await meta('without template', false);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Ingests one customer message and returns its case and customer. */
  async function writes(m: InboundMessage) {
    const res = await asAdmin(t, 'POST', '/api/v1/inbound', m);
    expect(res.statusCode).toBe(202);
    await t.app.pipeline.drain();
    const row = await t.app.database.db
      .selectFrom('messages')
      .select(['case_id', 'customer_id'])
      .where('channel', '=', m.channel)
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    return { caseId: row.case_id!, customerId: row.customer_id! };
  }
  const route = (c: { caseId: string; customerId: string }, now: number, can?: string[]) =>
    chooseRoute(
      t.app.database.db,
      t.app.workspace.workspaceId,
      c.caseId,
      c.customerId,
      now,
      can ? (ch) => can.includes(ch) : undefined,
    );

  it('refuses a channel with no sender at once, and falls back to one that has a sender', async () => {
    const c = await writes(
      aMessage({
        channel: 'voice',
        author: { id: '+12125550147' },
        sentAt: new Date(T0).toISOString(),
      }),
    );
    // A caller gets an SMS when SMS can be sent…
    const ok = await route(c, T0 + HOUR, ['sms']);
    expect(ok.route).toMatchObject({ channel: 'sms', to: '+12125550147' });
    // …and nothing (with the reason) when it cannot, rather than a retried send.
    const none = await route(c, T0 + HOUR, ['x']);
    expect(none.route).toBeNull();
    expect(none.refused.join('; ')).toMatch(/sms: no sender is configured/);
  });

  it('keeps a WhatsApp case past 24 hours when the channel has an approved template', async () => {
    const at = T0 + 2 * HOUR;
    const a = await writes(
      aMessage({
        channel: 'whatsapp',
        channelId: withTemplate,
        author: { id: '+13125550111' },
        sentAt: new Date(at).toISOString(),
      }),
    );
    const b = await writes(
      aMessage({
        channel: 'whatsapp',
        channelId: withoutTemplate,
        author: { id: '+13125550122' },
        sentAt: new Date(at).toISOString(),
      }),
    );
    const later = at + 30 * HOUR;
    const viaTemplate = await route(a, later);
    expect(viaTemplate.route).toMatchObject({ channel: 'whatsapp', channelId: withTemplate });
    // Where WhatsApp is the only channel that can send, a closed window leaves no route.
    const closed = await route(b, later, ['whatsapp']);
    expect(closed.route).toBeNull();
    expect(closed.refused.join('; ')).toMatch(/whatsapp/);
    // Inside the window both go.
    expect((await route(b, at + HOUR)).route).toMatchObject({ channelId: withoutTemplate });
  });

  it('texts the WhatsApp number when the window closed and no template is approved', async () => {
    const at = T0 + 4 * HOUR;
    // The Cloud API writes international numbers without the plus sign.
    const c = await writes(
      aMessage({
        channel: 'whatsapp',
        channelId: withoutTemplate,
        author: { id: '447911123456' },
        sentAt: new Date(at).toISOString(),
      }),
    );
    const later = at + 30 * HOUR;
    const texted = await route(c, later);
    expect(texted.route).toMatchObject({
      channel: 'sms',
      to: '+447911123456',
      visibility: 'private',
      why: 'fallback: sms',
    });
    expect(texted.refused.join('; ')).toMatch(/whatsapp/);
    // Inside the window WhatsApp itself answers; a refused SMS leaves none (with both reasons).
    expect((await route(c, at + HOUR)).route).toMatchObject({ channel: 'whatsapp' });
    const none = await route(c, later, ['whatsapp']);
    expect(none.route).toBeNull();
    expect(none.refused.join('; ')).toMatch(/sms: no sender is configured/);
  });

  it('texts a WhatsApp id as its own international number; tries one number once; skips account numbers', async () => {
    const at = T0 + 5 * HOUR;
    // Singapore's +65 9876 5432 as WhatsApp writes it (ten digits: not a US number).
    const c = await writes(
      aMessage({
        channel: 'whatsapp',
        channelId: withoutTemplate,
        author: { id: '6598765432' },
        sentAt: new Date(at).toISOString(),
      }),
    );
    // The same customer also texted from that number, and an agent recorded their account number.
    const texted = await writes(
      aMessage({
        channel: 'sms',
        author: { id: '+6598765432' },
        sentAt: new Date(at - HOUR).toISOString(),
      }),
    );
    expect(texted.customerId).toBe(c.customerId);
    const added = await asAdmin(t, 'POST', `/api/v1/customers/${c.customerId}/identities`, {
      channel: 'account',
      address: '4455-6677',
    });
    expect(added.statusCode, added.body).toBe(201);
    const later = at + 30 * HOUR;
    expect((await route(c, later)).route).toMatchObject({ channel: 'sms', to: '+6598765432' });
    // With SMS refused, that number is refused once (not once as an identity and again as the
    // WhatsApp number), and the account number is no route at all.
    const none = await route(c, later, ['whatsapp']);
    expect(none.route).toBeNull();
    expect(none.refused.filter((r) => r.startsWith('sms:'))).toHaveLength(1);
    expect(none.refused.join('; ')).not.toMatch(/account/);
  });

  it("does not count on Meta's human-agent tag: a notification is not a person's reply", async () => {
    const tagged = await createChannel(t, {
      kind: 'meta',
      name: 'tagged page',
      config: { pageId: '1122334455', humanAgentTag: true },
      secrets: { appSecret: META_APP_SECRET, verifyToken: 'v', pageAccessToken: 'p' },
    });
    const at = T0 + 3 * HOUR;
    const c = await writes(
      aMessage({
        channel: 'facebook',
        channelId: tagged,
        visibility: 'private',
        author: { id: 'psid-route-1' },
        sentAt: new Date(at).toISOString(),
      }),
    );
    // Inside 24 hours Messenger carries it; after, the tag (7 days, for people) is not used.
    expect((await route(c, at + HOUR)).route).toMatchObject({ channel: 'facebook' });
    const later = await route(c, at + 30 * HOUR);
    expect(later.route).toBeNull();
    expect(later.refused.join('; ')).toMatch(/facebook: .*24-hour.*no automated message/);
    // Nor does it advise turning on a tag that could not carry it.
    expect(later.refused.join('; ')).not.toMatch(/enable the human-agent tag/);
  });
});
