import { describe, expect, it } from 'vitest';
import { aMessage, asAdmin } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { newId } from '../platform/ids.js';

/**
 * An edit that overtook its message waits up to 48 hours with the customer's new text: erasing
 * the customer removes the edits of their messages, stored or still in the inbound log.
 */
describe.each(ENGINES)('erasure of edits waiting for their message on %s', (engine) => {
  const t = suiteApp(engine);
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;
  const pendingEdit = async (priorIds: string[], text: string) => {
    const id = newId();
    await db()
      .insertInto('message_edits')
      .values({
        id,
        workspace_id: ws(),
        channel: 'sms',
        edit_key: `key-${id}`,
        prior_ids: priorIds.join(' '),
        new_external_id: null,
        text,
        at: Date.now(),
        created_at: Date.now(),
        applied_at: null,
      })
      .execute();
    return id;
  };

  it('drops the erased customer’s pending edits and keeps everyone else’s', async () => {
    const phone = '+14155550777';
    const stored = aMessage({ channel: 'sms', visibility: 'private', author: { id: phone } });
    await appendInbound(db(), ws(), [stored], Date.now());
    await t.app.pipeline.drain();
    const { customer_id: customerId } = await db()
      .selectFrom('messages')
      .select('customer_id')
      .where('external_id', '=', stored.externalId)
      .executeTakeFirstOrThrow();
    // Logged, not processed yet: theirs, and someone else's.
    const waiting = aMessage({ channel: 'sms', visibility: 'private', author: { id: phone } });
    const other = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550778' },
    });
    await appendInbound(db(), ws(), [waiting, other], Date.now());

    const onStored = await pendingEdit(['x-first', stored.externalId], 'call me on +1 555 0101');
    const onWaiting = await pendingEdit([waiting.externalId], 'I live at 12 Elmwood Street');
    const onOther = await pendingEdit([other.externalId], 'not theirs');

    const res = await asAdmin(t, 'POST', `/api/v1/customers/${customerId}/erase`, {
      confirm: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    const left = await db()
      .selectFrom('message_edits')
      .select('id')
      .where('id', 'in', [onStored, onWaiting, onOther])
      .execute();
    expect(left.map((e) => e.id)).toEqual([onOther]);
  });
});
