import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { retryNow } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import type { Sender } from '../channels/sender.js';
import { problemsWorld } from '../problems/test-world.js';
import { fixedOnX, notifyOutbox } from './test-world.js';

const MIN = 60_000;

/*
 * The provider's echo of our notice (our own tweet) can be stored while the send call is still
 * waiting for its answer; the send's id then already names the echo's row. The notice was sent:
 * it must end in one row, `sent`, and never go out again.
 */
describe.each(ENGINES)('a notice whose echo is stored before its send answers, on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  const db = () => t.app.database.db;

  it('folds the echo into the notice and sends it once', async () => {
    const { c } = await fixedOnX(w, `x-echo-race-${engine}`, null);
    const caseId = c.case_id!;
    const countOf = async () =>
      Number(
        (
          await db()
            .selectFrom('cases')
            .select('message_count')
            .where('id', '=', caseId)
            .executeTakeFirstOrThrow()
        ).message_count,
      );
    const before = await countOf();

    const tweetId = `echo-race-${engine}`;
    let calls = 0;
    // While the send is in flight its echo arrives and is stored (and even marked delivered).
    const x: Sender = async () => {
      calls++;
      await db()
        .insertInto('messages')
        .values({
          id: `echo-${engine}`,
          workspace_id: w.ws(),
          case_id: caseId,
          customer_id: c.customer_id,
          channel: 'x',
          channel_id: null,
          external_id: tweetId,
          direction: 'out',
          visibility: 'public',
          author_address: 'our-account',
          author_name: 'Us',
          text: 'Fixed',
          sent_at: Date.now(),
          received_at: Date.now(),
          in_reply_to: null,
          conversation_id: null,
          language: null,
          attachments_json: '[]',
          triage_json: null,
          raw_json: null,
          status: 'delivered',
          user_id: null,
          deleted_at: null,
          unsolicited: 0,
        })
        .execute();
      await db()
        .updateTable('cases')
        .set({ message_count: sql<number>`message_count + 1` })
        .where('id', '=', caseId)
        .execute();
      return { externalId: tweetId };
    };
    let now = Date.now() + 3 * MIN;
    const senders = new Map([['x', x]]);
    const clock = () => now;
    const out = notifyOutbox(t, senders, clock);
    for (let i = 0; i < 5 && calls === 0; i++) {
      await out.runOnce(100);
      now += MIN;
    }
    expect(calls).toBe(1);

    const note = await db()
      .selectFrom('problem_notifications')
      .select(['status', 'message_id', 'error'])
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(note.status).toBe('sent');
    const rows = await db()
      .selectFrom('messages')
      .select(['id', 'status', 'author_address'])
      .where('external_id', '=', tweetId)
      .execute();
    expect(rows).toEqual([
      { id: note.message_id, status: 'delivered', author_address: 'system:problems' },
    ]);
    expect(await countOf()).toBe(before + 1);

    const row = await db()
      .selectFrom('outbox')
      .select(['id', 'status'])
      .where('kind', '=', 'notify_customer')
      .where('payload_json', 'like', `%${caseId}%`)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('delivered');
    // Nothing is left to send: the provider was called once.
    await retryNow(db(), row.id);
    await out.runOnce(100);
    expect(calls).toBe(1);
  });
});
