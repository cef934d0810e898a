import { beforeAll, describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { newId } from '../platform/ids.js';
import { careWorld, iso } from './test-world.js';

const MESSAGES = 250;
const EXTRA_HISTORY = 130;

/**
 * A case's view is bounded: its latest 100 messages and history entries, with a cursor to the
 * rest, which `…/messages` and `…/history` page like every other list (`limit` 1–200, cursor the
 * last id, `{ items, nextCursor }`), newest first. A small case reads as it always did.
 */
describe.each(ENGINES)('a long case on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, db, openCase, ingest } = careWorld(() => t);
  const start = Date.now() - 2 * 3_600_000;
  let caseId: string;
  let sentIds: string[];
  let failedId: string;

  beforeAll(async () => {
    const author = { id: `+1555${engine.length}000111`, name: 'Talkative' };
    const msgs = Array.from({ length: MESSAGES }, (_, i) =>
      aMessage({
        channel: 'api',
        visibility: 'private',
        author,
        text: `message ${i}`,
        // Ids are given in the reverse of time order: the timeline is in event time, not by id.
        externalId: `long-${engine}-${MESSAGES - i}`,
        sentAt: iso(start + (MESSAGES - i) * 1000),
      }),
    );
    caseId = await openCase(msgs[msgs.length - 1]);
    await ingest(...msgs.slice(0, -1));
    const rows = await db()
      .selectFrom('messages')
      .select(['id', 'text'])
      .where('case_id', '=', caseId)
      .orderBy('sent_at', 'asc')
      .execute();
    expect(rows).toHaveLength(MESSAGES);
    sentIds = rows.map((r) => r.id);
    // A failed reply among the latest, whose reason lies in history older than the view shows.
    failedId = sentIds[MESSAGES - 3];
    await db()
      .updateTable('messages')
      .set({ status: 'failed' })
      .where('id', '=', failedId)
      .execute();
    const event = (type: string, data: object, at: number) => ({
      id: newId(),
      workspace_id: t.app.workspace.workspaceId,
      case_id: caseId,
      type,
      actor_type: 'system' as const,
      actor_id: null,
      data_json: JSON.stringify(data),
      created_at: at,
      event_at: at,
    });
    await db()
      .insertInto('case_events')
      .values(event('reply_failed', { messageId: failedId, error: 'auth_revoked' }, start))
      .execute();
    for (let i = 0; i < EXTRA_HISTORY; i++)
      await db()
        .insertInto('case_events')
        .values(event('priority_changed', { n: i }, start + i))
        .execute();
  });

  const historyIds = async () =>
    (
      await db()
        .selectFrom('case_events')
        .select('id')
        .where('case_id', '=', caseId)
        .orderBy('id', 'asc')
        .execute()
    ).map((r) => r.id);

  it('shows the latest 100 messages and history entries, with cursors to the rest', async () => {
    const res = await api('GET', `/api/v1/cases/${caseId}`);
    expect(res.statusCode).toBe(200);
    const view = res.json();
    expect(view.messageCount).toBe(MESSAGES);
    expect(view.messages.map((m: { id: string }) => m.id)).toEqual(sentIds.slice(-100));
    expect(view.messagesPage).toEqual({ hasMore: true, nextCursor: sentIds[MESSAGES - 100] });
    const failed = view.messages.find((m: { id: string }) => m.id === failedId);
    expect(failed.failure).toEqual({ error: 'auth_revoked' });
    const history = await historyIds();
    expect(history.length).toBeGreaterThan(EXTRA_HISTORY);
    expect(view.history.map((h: { id: string }) => h.id)).toEqual(history.slice(-100));
    expect(view.historyPage).toEqual({ hasMore: true, nextCursor: history[history.length - 100] });
  });

  /** Every page of a sub-resource from `cursor`, newest first. */
  const walk = async (what: 'messages' | 'history', cursor: string, limit: number) => {
    const ids: string[] = [];
    for (let pages = 0; pages < 50; pages++) {
      const res = await api(
        'GET',
        `/api/v1/cases/${caseId}/${what}?limit=${limit}&cursor=${cursor}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...body.items.map((i: { id: string }) => i.id));
      if (body.nextCursor === null) return ids;
      cursor = body.nextCursor;
    }
    throw new Error('the walk did not end');
  };

  it('pages the messages and history from the view on, and from the start', async () => {
    const view = (await api('GET', `/api/v1/cases/${caseId}`)).json();
    const older = await walk('messages', view.messagesPage.nextCursor, 60);
    expect(older).toEqual(sentIds.slice(0, MESSAGES - 100).reverse());
    expect(await walk('messages', '', 200)).toEqual([...sentIds].reverse());
    const history = await historyIds();
    expect(await walk('history', view.historyPage.nextCursor, 45)).toEqual(
      history.slice(0, history.length - 100).reverse(),
    );
    expect(await walk('history', '', 37)).toEqual([...history].reverse());
    const first = (await api('GET', `/api/v1/cases/${caseId}/messages`)).json();
    expect(first.items).toHaveLength(50);
    expect(first.items[0].text).toBe('message 0');
    const failed = (await walk('messages', '', 10)).indexOf(failedId);
    expect(failed).toBe(2);
    const page = (await api('GET', `/api/v1/cases/${caseId}/messages?limit=3`)).json();
    expect(page.items[2].failure).toEqual({ error: 'auth_revoked' });
  });

  it('refuses what the other lists refuse, and answers 404 for an unknown case', async () => {
    for (const what of ['messages', 'history']) {
      const base = `/api/v1/cases/${caseId}/${what}`;
      for (const q of ['limit=0', 'limit=201', 'cursor=nope', `cursor=${newId()}x`, 'since=1'])
        expect((await api('GET', `${base}?${q}`)).statusCode, `${what} ${q}`).toBe(400);
      expect((await api('GET', `/api/v1/cases/${newId()}/${what}`)).statusCode).toBe(404);
      const anon = await t.app.http.inject({ method: 'GET', url: base });
      expect(anon.statusCode).toBe(401);
    }
    // A message id that is not one of the desk's is no position in any timeline.
    const unknown = await api('GET', `/api/v1/cases/${caseId}/messages?cursor=${newId()}`);
    expect(unknown.statusCode).toBe(400);
  });

  it('shows a small case whole, as before', async () => {
    const small = await openCase(
      aMessage({ channel: 'api', visibility: 'private', author: { id: `small-${engine}` } }),
    );
    const view = (await api('GET', `/api/v1/cases/${small}`)).json();
    expect(view.messages).toHaveLength(1);
    expect(view.messagesPage).toEqual({ hasMore: false, nextCursor: null });
    expect(view.historyPage.hasMore).toBe(false);
    const all = (await api('GET', `/api/v1/cases/${small}/messages`)).json();
    expect(all).toEqual({ items: view.messages, nextCursor: null });
  });
});
