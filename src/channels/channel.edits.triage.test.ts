import { describe, expect, it } from 'vitest';
import { asAdmin, caseIdOf } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { PRIORITY_RANK } from '../routing/priority.js';
import type { TriageResult } from '../triage/index.js';
import { aTweet, OUR, xDeskWorld } from './x/test-world.js';

let seq = 0;

/*
 * An edit changes what the customer said, so it changes what triage says about it: the message is
 * classified again (complaint, topic, urgency, area, PII spans), and its case follows as a later
 * message would move it (channel.edits.triage.ts).
 */
describe.each(ENGINES)('triage follows a customer edit on %s', (engine) => {
  const x = xDeskWorld(engine);
  const { t, db } = x;

  /** A customer's post and, when `edits` is set, its edit: a new id naming the first. */
  async function postThenEdit(first: string, ...edits: string[]) {
    seq++;
    const a = String(1810000000000000000n + BigInt(seq * 10));
    const author = String(6100 + seq);
    const at = Date.now() - 300_000;
    const post = (id: string, text: string, when: number, extra = {}) =>
      JSON.stringify({
        for_user_id: OUR,
        tweet_create_events: [aTweet(id, author, `u${author}`, text, when, extra)],
      });
    expect((await x.deliver(post(a, `@brand ${first}`, at))).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const caseId = await caseIdOf(db(), a);
    const ids = [a];
    const edit = async (text: string) => {
      const id = String(BigInt(a) + BigInt(ids.length));
      ids.push(id);
      const history = { edit_history: { initial_tweet_id: a, edit_tweet_ids: [...ids] } };
      const body = post(id, `@brand ${text}`, at + ids.length * 10_000, history);
      expect((await x.deliver(body)).statusCode).toBe(200);
      await t.app.pipeline.drain();
    };
    for (const e of edits) await edit(e);
    return { a, caseId, author, edit };
  }
  const messageOf = (externalId: string) =>
    db()
      .selectFrom('messages')
      .select(['id', 'text', 'triage_json', 'language'])
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();
  const triageOf = async (externalId: string) =>
    JSON.parse((await messageOf(externalId)).triage_json!) as TriageResult;
  const caseRow = (id: string) =>
    db()
      .selectFrom('cases')
      .select(['topic', 'priority', 'group_key'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('"love the new plan" edited to an outage in 94110 and cancelling: a complaint, churn', async () => {
    const { a, caseId, author, edit } = await postThenEdit('love the new plan');
    const before = await triageOf(a);
    expect(before).toMatchObject({ complaint: false, topic: 'praise' });
    const praised = await caseRow(caseId);
    expect(praised.topic).toBe('praise');

    await edit('no signal for 3 days in 94110, cancelling');
    const after = await triageOf(a);
    expect(after).toMatchObject({ complaint: true, topic: 'network' });
    expect(after.area).toMatchObject({ postalCode: '94110' });
    // The case took its topic from this message: it follows, and so does its surge group.
    expect(await caseRow(caseId)).toMatchObject({ topic: 'network', group_key: 'network:94110' });

    // The same edit said plainly enough for the churn rules (src/triage/urgency.ts): churn
    // urgency, and the case's priority rises to the need it now shows.
    await edit('no signal for 3 days in 94110, cancelling my plan');
    const churned = await triageOf(a);
    expect(churned).toMatchObject({ complaint: true, urgency: ['churn'] });
    const raised = await caseRow(caseId);
    expect(PRIORITY_RANK[raised.priority]).toBeGreaterThan(PRIORITY_RANK[praised.priority]);
    const history = await db()
      .selectFrom('case_events')
      .select(['type', 'data_json'])
      .where('case_id', '=', caseId)
      .where('type', 'in', ['priority_changed', 'topic_changed'])
      .execute();
    // Each edit that raised the need said so; the topic moved once.
    expect(new Set(history.map((e) => e.type))).toEqual(
      new Set(['priority_changed', 'topic_changed']),
    );
    expect(history.filter((e) => e.type === 'topic_changed')).toHaveLength(1);
    // One message, one inbound event: the edits fed no second message to the detector.
    const logged = await db()
      .selectFrom('inbound_events')
      .select('external_id')
      .where('payload_json', 'like', `%${author}%`)
      .execute();
    expect(logged.map((r) => r.external_id)).toEqual([a]);
  });

  it("PII spans are the edited text's, and a public reply may not repeat it", async () => {
    const phone = '415 555 0143';
    const { a, caseId } = await postThenEdit(
      'my bill is wrong',
      `my bill is wrong, call me on ${phone}`,
    );
    const { text } = await messageOf(a);
    const spans = (await triageOf(a)).pii;
    expect(spans.map((s) => [s.kind, text.slice(s.start, s.end)])).toEqual([['phone', phone]]);
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${caseId}/replies`, {
      text: `We will call you on ${phone}`,
      visibility: 'public',
    });
    expect(res.statusCode).toBe(400);
  });

  it("an agent's topic stands: the case keeps it when the message is edited", async () => {
    const { a, caseId, edit } = await postThenEdit('love the new plan');
    const { id } = await messageOf(a);
    const corrected = await asAdmin(t, 'POST', `/api/v1/messages/${id}/triage`, {
      topic: 'billing',
    });
    expect(corrected.statusCode).toBe(201);
    const topic = (await caseRow(caseId)).topic;
    await edit('no signal for 3 days in 94110, cancelling');
    expect((await triageOf(a)).complaint).toBe(true);
    expect((await caseRow(caseId)).topic).toBe(topic);
  });
});
