import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryNow, type TestApp } from '../../../test/builders.js';
import { deliverMeta } from '../../../test/fakes/channels.js';
import { FBA, MetaHarness, messengerBody, PAGE } from '../../../test/fakes/meta-harness.js';
import { hasSharedData } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';
import { applyPendingMarks, MARK_TTL_MS } from '../channel.marks.js';

/*
 * Receipts for messages the desk never stored (another app's, or before the channel was
 * connected) wait in channel_marks. However many there are, a receipt for a message we have
 * must still be applied, and the waiting ones must not wait forever.
 */
describe.runIf(hasSharedData(FBA)).each(ENGINES)(
  'Meta receipts behind a backlog on %s',
  (engine) => {
    const h = new MetaHarness();
    let t: TestApp;
    let ch: string;
    const { db, reply, messengerFrom, outbox } = h;

    beforeAll(async () => {
      await h.start(engine);
      ({ t, ch } = h);
    });
    afterAll(async () => {
      await h.close();
    });

    const delivery = (who: string, mids: string[]) =>
      messengerBody(who, PAGE, { delivery: { mids } });
    const status = async (id: string) =>
      (
        await db()
          .selectFrom('messages')
          .select(['status', 'external_id'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
    const pending = async () =>
      Number(
        (
          await db()
            .selectFrom('channel_marks')
            .select((e) => e.fn.countAll().as('n'))
            .where('applied_at', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('applies a receipt for a stored message behind 1,500 that match nothing, then expires those', async () => {
      const [who, caseId] = await messengerFrom(ch, Date.now() - 60_000);
      const unknown = Array.from({ length: 1500 }, (_, i) => `m_never_stored_${i}`);
      expect((await deliverMeta(t, ch, delivery(who, unknown))).statusCode).toBe(200);
      expect(await pending()).toBe(1500);

      const id = await reply(caseId, 'Your refund is on its way.');
      await t.app.outbox.runOnce();
      const { external_id: mid } = await db()
        .selectFrom('messages')
        .select('external_id')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(await status(id)).toBe('sent');
      await new Promise((r) => setTimeout(r, 5));
      expect((await deliverMeta(t, ch, delivery(who, [mid]))).statusCode).toBe(200);
      expect(await status(id)).toBe('delivered');

      // A receipt that overtook its message is applied by the sweep once the message is stored.
      const id2 = await reply(caseId, 'And the invoice is corrected.');
      const early = delivery(who, ['m_FAKE_overtaken']);
      expect((await deliverMeta(t, ch, early)).statusCode).toBe(200);
      h.fake.script({ status: 200, body: { recipient_id: who, message_id: 'm_FAKE_overtaken' } });
      await t.app.outbox.runOnce();
      expect(await status(id2)).toBe('sent');
      expect(await applyPendingMarks(db(), t.app.workspace.workspaceId, Date.now())).toBe(1);
      expect(await status(id2)).toBe('delivered');

      // Two days on, the 1,500 that never matched are gone.
      expect(await pending()).toBe(1500);
      await applyPendingMarks(db(), t.app.workspace.workspaceId, Date.now() + MARK_TTL_MS + 1000);
      expect(await pending()).toBe(0);
    });
    it('moves only replies Meta has: a queued reply is neither read by a watermark nor moved back later', async () => {
      const [who, caseId] = await messengerFrom(ch, Date.now() - 60_000);
      const sent = await reply(caseId, 'We are looking at your bill.');
      await t.app.outbox.runOnce();
      expect(await status(sent)).toBe('sent');
      // Graph is down: the next reply waits out a retry, still queued.
      h.fake.script({
        status: 503,
        body: { error: { message: 'Service unavailable', code: 2, is_transient: true } },
      });
      const queued = await reply(caseId, 'Reply while Graph is down.');
      await t.app.outbox.runOnce();
      expect(await status(queued)).toBe('queued');
      expect((await outbox(queued)).status).toBe('pending');
      await new Promise((r) => setTimeout(r, 5));
      const watermark = (kind: 'read' | 'delivery') =>
        messengerBody(who, PAGE, { [kind]: { watermark: Date.now() } });
      expect((await deliverMeta(t, ch, watermark('delivery'))).statusCode).toBe(200);
      expect((await deliverMeta(t, ch, watermark('read'))).statusCode).toBe(200);
      expect(await status(sent)).toBe('read');
      expect(await status(queued)).toBe('queued');
      // The retry sends it: it goes forward to sent, never back from "read".
      await retryNow(db(), (await outbox(queued)).id);
      await t.app.outbox.runOnce();
      expect(await status(queued)).toBe('sent');

      // A per-message receipt naming a message while it is still queued (simulated: the row holds
      // its provider id but not yet its outcome) waits, and applies once the send is stored.
      const { external_id: mid } = await db()
        .selectFrom('messages')
        .select('external_id')
        .where('id', '=', queued)
        .executeTakeFirstOrThrow();
      await db()
        .updateTable('messages')
        .set({ status: 'queued' })
        .where('id', '=', queued)
        .execute();
      expect((await deliverMeta(t, ch, delivery(who, [mid]))).statusCode).toBe(200);
      expect(await status(queued)).toBe('queued');
      await db().updateTable('messages').set({ status: 'sent' }).where('id', '=', queued).execute();
      await applyPendingMarks(db(), t.app.workspace.workspaceId, Date.now());
      expect(await status(queued)).toBe('delivered');
    });
  },
);
