import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';
import { CHANNEL_KINDS, defaultVisibility } from '../inbound.schema.js';

const MIN = 60_000;

describe('the visibility of a message that does not state one', () => {
  it('is public only on channels whose posts are public by nature', () => {
    const byChannel = Object.fromEntries(CHANNEL_KINDS.map((c) => [c, defaultVisibility(c)]));
    expect(byChannel).toEqual({
      x: 'public',
      facebook: 'public',
      instagram: 'public',
      whatsapp: 'private',
      email: 'private',
      sms: 'private',
      voice: 'private',
      webchat: 'private',
      api: 'private',
    });
  });
});

/**
 * QA defect 2: an SMS or email posted to `POST /api/v1/inbound` without `visibility` was stored
 * as public, so a customer's "it is still broken" after a fix opened a new case (a public post
 * that answers nothing starts its own conversation) instead of joining their pending case, and
 * was never counted against the fix.
 */
describe.each(ENGINES)('inbound messages without visibility on %s', (engine) => {
  const t = suiteApp(engine);
  const db = () => t.app.database.db;

  const post = async (url: string, payload: Record<string, unknown>) => {
    const res = await t.app.http.inject({ method: 'POST', url, headers: t.auth, payload });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };
  const messageOf = (externalId: string) =>
    db()
      .selectFrom('messages')
      .select(['case_id', 'visibility'])
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();
  const caseOf = (id: string) =>
    db()
      .selectFrom('cases')
      .select(['status', 'status_reason'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it.each([
    ['sms', '+16285559032'],
    ['email', 'still.broken@example.com'],
  ] as const)(
    'a %s customer saying it is still broken joins their pending case after a fix',
    async (channel, address) => {
      const now = Date.now();
      const first = `${channel}-first-${now}`;
      await post('/api/v1/inbound', {
        channel,
        externalId: first,
        author: { id: address },
        text: 'No signal at all since this morning, nothing works',
        sentAt: new Date(now - 2 * MIN).toISOString(),
      });
      await t.app.pipeline.drain();
      const { case_id: caseId, visibility } = await messageOf(first);
      expect(visibility).toBe('private');
      expect(caseId).toBeTruthy();

      // The owner team fixes the problem: the case waits for its customer.
      const created = await post('/api/v1/problems', { caseId, title: `Outage ${channel}` });
      const problemId = created.id as string;
      await post(`/api/v1/problems/${problemId}/status`, { status: 'fixed', silent: true });
      expect(await caseOf(caseId!)).toMatchObject({ status: 'pending', status_reason: 'customer' });
      // Past the 30-minute grace after the fix (in event time), so the report counts.
      await db()
        .updateTable('problems')
        .set((eb) => ({ fixed_event_at: eb('fixed_event_at', '-', 45 * MIN) }))
        .where('id', '=', problemId)
        .execute();

      const again = `${channel}-again-${now}`;
      await post('/api/v1/inbound', {
        channel,
        externalId: again,
        author: { id: address },
        text: 'It is still broken',
        sentAt: new Date(now).toISOString(),
      });
      await t.app.pipeline.drain();
      const reply = await messageOf(again);
      expect(reply).toEqual({ case_id: caseId, visibility: 'private' });
      expect((await caseOf(caseId!)).status).toBe('open');
      const problem = await db()
        .selectFrom('problems')
        .select(['status', 'still_broken_count'])
        .where('id', '=', problemId)
        .executeTakeFirstOrThrow();
      expect(problem).toEqual({ status: 'fixed', still_broken_count: 1 });
    },
  );

  it('a post on X without visibility is still public (its own conversation)', async () => {
    const id = `x-post-${Date.now()}`;
    await post('/api/v1/inbound', {
      channel: 'x',
      externalId: id,
      author: { id: 'x-user-1' },
      text: 'My internet is down again',
      sentAt: new Date().toISOString(),
    });
    await t.app.pipeline.drain();
    expect((await messageOf(id)).visibility).toBe('public');
  });
});
