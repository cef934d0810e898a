import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/builders.js';
import { asAdmin } from '../../../test/builders.js';
import { deliverMeta } from '../../../test/fakes/channels.js';
import {
  FBA,
  MetaHarness,
  messengerBody,
  nextPsid,
  PAGE,
} from '../../../test/fakes/meta-harness.js';
import { hasSharedData } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';
import { classify } from '../../triage/index.js';
import { applyPendingEdits } from '../channel.edits.js';

/*
 * Messenger `message_edits` (webhook field): {sender, recipient, timestamp, message_edit: {mid,
 * text, num_edit}}. The stored message takes the new text, keeps the old one visible to agents,
 * and stays in its case.
 */
describe.runIf(hasSharedData(FBA)).each(ENGINES)('Messenger message edits on %s', (engine) => {
  const h = new MetaHarness();
  let t: TestApp;
  let ch: string;
  const { db, msgBy, messengerFrom } = h;

  beforeAll(async () => {
    await h.start(engine);
    ({ t, ch } = h);
  });
  afterAll(async () => {
    await h.close();
  });

  const edit = (who: string, mid: string, text: string, n: number, at = Date.now()) =>
    messengerBody(who, PAGE, { message_edit: { mid, text, num_edit: n } }, at);
  const caseView = async (caseId: string) => {
    const res = await asAdmin(t, 'GET', `/api/v1/cases/${caseId}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('updates the text, keeps the earlier version for agents, and stays in the case', async () => {
    const [who, caseId] = await messengerFrom(ch, Date.now() - 60_000, 'My order number is 1111');
    const mid = `m_in_${who}`;
    const res = await deliverMeta(t, ch, edit(who, mid, 'My order number is 2222 (corrected)', 1));
    expect(res.statusCode).toBe(200);
    await t.app.pipeline.drain();
    const m = await msgBy(mid);
    expect(m.text).toBe('My order number is 2222 (corrected)');
    expect(m.case_id).toBe(caseId);
    const view = await caseView(caseId);
    expect(view.messages).toHaveLength(1);
    expect(view.messages[0]).toMatchObject({
      text: 'My order number is 2222 (corrected)',
      edits: [{ text: 'My order number is 1111', externalId: mid }],
    });
    expect(view.history.some((e: { type: string }) => e.type === 'message_edited')).toBe(true);
    // Delivered again, and an older edit arriving late: nothing changes.
    await deliverMeta(t, ch, edit(who, mid, 'My order number is 2222 (corrected)', 1));
    await deliverMeta(t, ch, edit(who, mid, 'My order is 1', 0, Date.now() - 30_000));
    const again = await caseView(caseId);
    expect(again.messages[0].text).toBe('My order number is 2222 (corrected)');
    expect(again.messages[0].edits).toHaveLength(1);
    const cases = await db()
      .selectFrom('messages')
      .select('case_id')
      .where('author_address', '=', who)
      .execute();
    expect(cases).toEqual([{ case_id: caseId }]);
  });

  it('applies an edit that overtook its message once the message is stored', async () => {
    const who = nextPsid();
    const mid = `m_fast_${who}`;
    const at = Date.now() - 1000;
    const original = messengerBody(who, PAGE, { message: { mid, text: 'no dial tone' } }, at);
    expect((await deliverMeta(t, ch, original)).statusCode).toBe(200);
    // Not yet processed: the edit waits.
    expect(
      (await deliverMeta(t, ch, edit(who, mid, 'no dial tone since noon', 1))).statusCode,
    ).toBe(200);
    await t.app.pipeline.drain();
    await applyPendingEdits(db(), t.app.workspace.workspaceId, Date.now(), classify);
    const m = await msgBy(mid);
    expect(m.text).toBe('no dial tone since noon');
    expect(JSON.parse(m.raw_json!).edits[0].text).toBe('no dial tone');
  });

  it('takes an edit of a message it never received as that message', async () => {
    const who = nextPsid();
    const mid = `m_unseen_${who}`;
    expect((await deliverMeta(t, ch, edit(who, mid, 'router keeps rebooting', 2))).statusCode).toBe(
      200,
    );
    await t.app.pipeline.drain();
    const m = await msgBy(mid);
    expect(m).toMatchObject({ text: 'router keeps rebooting', direction: 'in' });
    expect(m.case_id).not.toBeNull();
  });
});
