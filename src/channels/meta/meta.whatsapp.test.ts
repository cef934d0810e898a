import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/builders.js';
import { createChannel, deliverMeta } from '../../../test/fakes/channels.js';
import { FBA, MetaHarness, whatsappBody } from '../../../test/fakes/meta-harness.js';
import type { FakeMeta } from '../../../test/fakes/meta-provider.js';
import { hasSharedData } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';

describe.runIf(hasSharedData(FBA)).each(ENGINES)(
  'WhatsApp through the Meta channel on %s',
  (engine) => {
    const h = new MetaHarness();
    let t: TestApp;
    let fake: FakeMeta;
    let ch: string;
    const { db, secrets, config, msgBy, statusOf, reply } = h;

    beforeAll(async () => {
      await h.start(engine);
      ({ t, fake, ch } = h);
    });
    afterAll(async () => {
      await h.close();
    });

    it('WhatsApp: text inside 24 h, refusal outside, approved template when one is configured; statuses update', async () => {
      const wa = (channel: string, from: string, id: string, at: number) =>
        deliverMeta(
          t,
          channel,
          JSON.stringify(
            whatsappBody(fake.phoneId, {
              contacts: [{ profile: { name: 'Maria' }, wa_id: from }],
              messages: [
                {
                  from,
                  id,
                  timestamp: String(Math.floor(at / 1000)),
                  type: 'text',
                  text: { body: 'no signal' },
                },
              ],
            }),
          ),
        );
      expect((await wa(ch, '14155550101', 'wamid.IN1', Date.now() - 600_000)).statusCode).toBe(200);
      await t.app.pipeline.drain();
      const m = await msgBy('wamid.IN1');
      expect(m.author_address).toBe('+14155550101');
      const id = await reply(m.case_id!, 'We are on it.');
      await t.app.outbox.runOnce();
      expect(fake.sent.at(-1)).toMatchObject({
        kind: 'whatsapp',
        body: { to: '14155550101', type: 'text', text: { body: 'We are on it.' } },
      });
      const out = await db()
        .selectFrom('messages')
        .select('external_id')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const status = JSON.stringify(
        whatsappBody(fake.phoneId, {
          statuses: [
            {
              id: out.external_id,
              status: 'delivered',
              timestamp: String(Math.floor(Date.now() / 1000)),
              recipient_id: '14155550101',
            },
          ],
        }),
      );
      expect((await deliverMeta(t, ch, status)).statusCode).toBe(200);
      expect(await statusOf(id)).toBe('delivered');

      expect(
        (await wa(ch, '14155550102', 'wamid.IN2', Date.now() - 30 * 3_600_000)).statusCode,
      ).toBe(200);
      await t.app.pipeline.drain();
      const old = await msgBy('wamid.IN2');
      // No template on this channel: refused when the agent sends it, nothing queued.
      expect(await h.refused(old.case_id!, 'Fixed now!')).toMatchObject({
        code: 'window_closed',
        message: expect.stringMatching(
          /\[whatsapp_24h\] the WhatsApp 24-hour customer service window is closed/,
        ),
        details: { rule: 'whatsapp_24h', channel: 'whatsapp', kind: 'permission_missing' },
      });

      const tpl = await createChannel(t, {
        kind: 'meta',
        name: 'wa-tpl',
        config: config({ whatsappTemplate: { name: 'case_update', language: 'en_US' } }),
        secrets: secrets(),
      });
      expect(
        (await wa(tpl, '14155550103', 'wamid.IN3', Date.now() - 30 * 3_600_000)).statusCode,
      ).toBe(200);
      await t.app.pipeline.drain();
      await reply((await msgBy('wamid.IN3')).case_id!, 'Your line is fixed.');
      await t.app.outbox.runOnce();
      expect(fake.sent.at(-1)!.body).toMatchObject({
        type: 'template',
        template: {
          name: 'case_update',
          language: { code: 'en_US' },
          components: [
            { type: 'body', parameters: [{ type: 'text', text: 'Your line is fixed.' }] },
          ],
        },
      });
    });
  },
);
