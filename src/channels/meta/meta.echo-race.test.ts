import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryNow, type TestApp } from '../../../test/builders.js';
import { deliverMeta } from '../../../test/fakes/channels.js';
import { FBA, MetaHarness, messengerBody, PAGE } from '../../../test/fakes/meta-harness.js';
import type { FakeMeta } from '../../../test/fakes/meta-provider.js';
import { hasSharedData } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';

/*
 * The provider's echo of our reply can arrive, and be stored, while the send call is still
 * waiting for its answer (QA: Graph answered after 3–5 s, the echo came after 1 s). The send's
 * id then already names the echo's row: that must end in one row, sent once.
 */
describe.runIf(hasSharedData(FBA)).each(ENGINES)(
  'a Messenger echo overtaking its send on %s',
  (engine) => {
    const h = new MetaHarness();
    let t: TestApp;
    let fake: FakeMeta;
    let ch: string;
    const { db, reply, outbox, messengerFrom } = h;

    beforeAll(async () => {
      await h.start(engine);
      ({ t, fake, ch } = h);
    });
    afterAll(async () => {
      await h.close();
    });

    const echoOf = (who: string, mid: string, text: string, at: number) =>
      messengerBody(PAGE, who, { message: { mid, text, is_echo: true, app_id: 1 } }, at);

    it('keeps one row with the provider id, carries the echo receipt, and never sends again', async () => {
      const [who, caseId] = await messengerFrom(ch, Date.now() - 60_000);
      const text = 'Technician arrives at 3pm.';
      const id = await reply(caseId, text);
      const mid = `m_echo_race_${who}`;
      let release!: () => void;
      fake.hold = new Promise<void>((r) => {
        release = r;
      });
      fake.script({ status: 200, body: { recipient_id: who, message_id: mid } });
      const calls = fake.server.requests.length;
      const run = t.app.outbox.runOnce();
      while (fake.server.requests.length === calls) await new Promise((r) => setTimeout(r, 5));
      // The send is in flight; its echo arrives, is stored, and is even delivered.
      expect((await deliverMeta(t, ch, echoOf(who, mid, text, Date.now()))).statusCode).toBe(200);
      await t.app.pipeline.drain();
      const dlr = messengerBody(who, PAGE, { delivery: { mids: [mid] } });
      expect((await deliverMeta(t, ch, dlr)).statusCode).toBe(200);
      const early = await db()
        .selectFrom('messages')
        .select(['id', 'status'])
        .where('external_id', '=', mid)
        .execute();
      expect(early).toHaveLength(1);
      expect(early[0].id).not.toBe(id);
      release();
      fake.hold = null;
      await run;

      const row = await outbox(id);
      expect(row.status).toBe('delivered');
      expect(row.last_error).toBeNull();
      const rows = await db()
        .selectFrom('messages')
        .select(['id', 'status', 'author_address'])
        .where('external_id', '=', mid)
        .execute();
      expect(rows).toEqual([expect.objectContaining({ id, status: 'delivered' })]);
      // Ours (the agent's row), not the echo's page author.
      expect(rows[0].author_address).toMatch(/^(user|token):/);
      const inCase = await db()
        .selectFrom('messages')
        .select('id')
        .where('case_id', '=', caseId)
        .where('direction', '=', 'out')
        .execute();
      expect(inCase).toHaveLength(1);
      const c = await db()
        .selectFrom('cases')
        .select('message_count')
        .where('id', '=', caseId)
        .executeTakeFirstOrThrow();
      expect(Number(c.message_count)).toBe(2);
      // Nothing is left to send: the provider was called once.
      await retryNow(db(), row.id);
      await t.app.outbox.runOnce();
      expect(fake.server.requests.length).toBe(calls + 1);
    });

    it('an echo arriving after the send is still skipped as a duplicate of our row', async () => {
      const [who, caseId] = await messengerFrom(ch, Date.now() - 60_000);
      const id = await reply(caseId, 'All sorted now.');
      await t.app.outbox.runOnce();
      const sent = await db()
        .selectFrom('messages')
        .select('external_id')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const echo = echoOf(who, sent.external_id, 'All sorted now.', Date.now());
      expect((await deliverMeta(t, ch, echo)).statusCode).toBe(200);
      await t.app.pipeline.drain();
      const rows = await db()
        .selectFrom('messages')
        .select('id')
        .where('external_id', '=', sent.external_id)
        .execute();
      expect(rows).toEqual([{ id }]);
    });
  },
);
