import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import type { Sender } from '../channels/sender.js';
import { publicNoticeText } from '../problems/notice-x.js';
import { DEFAULT_PROBLEM_SETTINGS } from '../problems/problem.settings.js';
import { problemsWorld } from '../problems/test-world.js';
import { notifyHandler } from './notify.handler.js';
import { notifyOutbox, problemOnXFor } from './test-world.js';

/** Status notices wait this long before they go out (`noticeHoldMinutes`). */
const HOLD = DEFAULT_PROBLEM_SETTINGS.noticeHoldMinutes * 60_000;

/**
 * Notices held back (X rate-limited for 20 minutes) while the problem went fixed → fixing →
 * fixed → fixing were all sent later in queue order, the last contradicting the problem's
 * status. Now a notice that is out of date when its turn comes (a newer one to the same
 * customer is queued or sent) is superseded, not sent.
 */
describe.each(ENGINES)('out-of-date notices on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  let k = 0;

  const problemOnX = () => problemOnXFor(w, `x-supersede-${engine}-${++k}`);
  const notices = (id: string) =>
    w
      .db()
      .selectFrom('problem_notifications')
      .select(['id', 'status', 'text'])
      .where('problem_id', '=', id)
      .orderBy('id')
      .execute();
  function outbox(texts: string[]) {
    const x: Sender = async (m) => {
      texts.push(m.text);
      return { externalId: `t-${m.messageId}` };
    };
    const senders = new Map([['x', x]]);
    // Once the notices' hold is over.
    const clock = () => Date.now() + HOLD;
    return notifyOutbox(t, senders, clock);
  }

  it('held back through fixed → fixing → fixed → fixing, only the latest is sent', async () => {
    const { id } = await problemOnX();
    for (const status of ['fixed', 'fixing', 'fixed', 'fixing'])
      expect((await w.setStatus(id, { status, silent: false })).statusCode).toBe(200);
    const texts: string[] = [];
    await outbox(texts).runOnce(100);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/Our team is working on a fix\./);
    const all = await notices(id);
    expect(all.map((n) => n.status)).toEqual(['superseded', 'superseded', 'superseded', 'sent']);
    const api = (
      await w.api('GET', `/api/v1/problems/${id}/notifications?status=superseded`)
    ).json();
    expect(api.items).toHaveLength(3);
    expect((await w.api('GET', `/api/v1/problems/${id}`)).json().notifications).toEqual({
      sent: 1,
      superseded: 3,
    });
  });

  it('a customer told a newer update is never sent an older one later', async () => {
    const { id } = await problemOnX();
    expect((await w.setStatus(id, { status: 'fixed', silent: false })).statusCode).toBe(200);
    expect((await w.setStatus(id, { status: 'fixing', silent: false })).statusCode).toBe(200);
    const [older, newer] = await notices(id);
    const texts: string[] = [];
    const x: Sender = async (m) => {
      texts.push(m.text);
      return { externalId: `t-${m.messageId}` };
    };
    const handler = notifyHandler({
      database: t.app.database,
      senders: new Map([['x', x]]),
      clock: () => Date.now(),
    });
    /** Delivers one notice's outbox row through the handler. */
    async function deliver(n: { id: string }) {
      const { update_id, case_id } = await w
        .db()
        .selectFrom('problem_notifications')
        .select(['update_id', 'case_id'])
        .where('id', '=', n.id)
        .executeTakeFirstOrThrow();
      const row = await w
        .db()
        .selectFrom('outbox')
        .select(['id', 'payload_json', 'idempotency_key'])
        .where('idempotency_key', '=', `notify_customer:${update_id}:${case_id}`)
        .executeTakeFirstOrThrow();
      await handler(JSON.parse(row.payload_json), row.idempotency_key, {
        id: row.id,
        workspaceId: w.ws(),
        attempt: 2,
      });
    }
    // The newer one went out first (the older one's delivery was retrying), then the older one's
    // turn comes.
    await deliver(newer);
    await deliver(older);
    // Under the customer's public X post: the newer status in public words (notice-x.ts).
    expect(texts).toEqual([publicNoticeText({ topic: 'network', status: 'fixing' })]);
    expect(newer.text).toMatch(/Our team is working on a fix\./);
    expect((await notices(id)).find((n) => n.id === older.id)?.status).toBe('superseded');
  });
});
