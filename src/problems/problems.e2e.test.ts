import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES, freshDatabaseUrl } from '../../test/support/engines.js';
import { type App, buildApp } from '../app.js';
import type { OutboundMessage, Sender } from '../channels/sender.js';
import { loadConfig } from '../config.js';
import { CHANNEL_KINDS, type InboundMessage } from '../ingest/inbound.schema.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { createApiToken } from '../platform/auth/tokens.js';
import { simulate } from '../simulate/index.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { ProblemWorker } from './problem.worker.js';
import { patchProblemSettings } from './test-world.js';

/**
 * The whole loop on both engines: a simulated outage goes through the real pipeline (real
 * triage), a problem is raised with the complainers' cases linked; marking it fixed notifies
 * every linked customer through the outbox, cases wait, "still broken" reopens one, and the
 * quiet period resolves the rest.
 */
describe.each(ENGINES)('problems end to end on %s', (engine) => {
  let app: App;
  let auth: { authorization: string };
  let cleanup: () => void;
  let now = 0;
  const sent: OutboundMessage[] = [];
  const messages: InboundMessage[] = [];

  beforeAll(async () => {
    const db = await freshDatabaseUrl(engine);
    cleanup = db.cleanup;
    const base = loadConfig({
      THROUGHLINE_DATABASE_URL: db.url,
      LOG_LEVEL: 'silent',
      THROUGHLINE_DEMO: 'false',
    });
    const fake: Sender = async (msg) => {
      sent.push(msg);
      return { externalId: `fake-${sent.length}` };
    };
    app = await buildApp({
      config: {
        ...base,
        sqliteSynchronous: 'NORMAL',
        pipeline: { ...base.pipeline, workers: false },
      },
      clock: () => now,
      senders: new Map(CHANNEL_KINDS.map((k) => [k, fake])),
    });
    await app.start({ listen: false });
    const { token } = await createApiToken(
      app.database.db,
      app.workspace.workspaceId,
      't',
      'admin',
    );
    auth = { authorization: `Bearer ${token}` };
    for (const e of simulate({ scenario: 'demo', seed: 3 }))
      if (e.type === 'message') messages.push(e.message);
    messages.sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt));
    now = Date.parse(messages[messages.length - 1].sentAt);
    await ingestStream(messages, {
      database: app.database,
      workspaceId: app.workspace.workspaceId,
      pipeline: app.pipeline,
      clock: () => now,
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    cleanup?.();
  });

  const problem = async () => {
    const res = await app.http.inject({
      method: 'GET',
      url: '/api/v1/problems?area=San%20Francisco',
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    return res.json().items as {
      id: string;
      status: string;
      topic: string;
      caseIds: string[];
      customerCount: number;
      area: { city: string };
    }[];
  };

  it('raises one problem for the outage around 94110 with its cases linked', async () => {
    const list = await problem();
    const all = (
      await app.http.inject({ method: 'GET', url: '/api/v1/problems', headers: auth })
    ).json().items;
    expect(list.length, JSON.stringify(all.map((p: { title: string }) => p.title))).toBe(1);
    const p = list[0];
    expect(['outage', 'network']).toContain(p.topic);
    expect(p.caseIds.length).toBeGreaterThanOrEqual(10);
    expect(p.customerCount).toBeGreaterThanOrEqual(10);
    const one = await app.http.inject({
      method: 'GET',
      url: `/api/v1/problems/${p.id}`,
      headers: auth,
    });
    expect(one.json().baseline.observed).toBeGreaterThanOrEqual(5);
    expect(one.json().history[0].type).toBe('detected');
  });

  it('with auto-acknowledge on, a new complaint linked to the problem is queued an informed answer', async () => {
    const patch = await patchProblemSettings(
      { app, auth },
      {
        autoAcknowledge: true,
        acknowledgementTemplate: 'We know about {title} in {area} — status: {status}.{eta}',
      },
    );
    expect(patch.statusCode).toBe(200);
    // A placeholder we would not fill is refused, not sent to customers as written.
    const bad = await patchProblemSettings(
      { app, auth },
      { acknowledgementTemplate: 'We know about it in {city}.' },
    );
    expect(bad.statusCode, bad.body).toBe(400);
    const [p] = await problem();
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550999', name: 'Late Complainer', location: 'San Francisco, CA' },
      text: 'My internet is down in 94110 since this morning, no connection at all',
      sentAt: new Date(now).toISOString(),
    });
    await ingestStream([m], {
      database: app.database,
      workspaceId: app.workspace.workspaceId,
      pipeline: app.pipeline,
      clock: () => now,
    });
    const linked = (await problem())[0];
    const caseRow = await app.database.db
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    expect(linked.caseIds).toContain(caseRow.case_id);
    const ack = await app.database.db
      .selectFrom('outbox')
      .select('idempotency_key')
      .where('idempotency_key', '=', `notify_customer:ack:${p.id}:${caseRow.case_id}`)
      .execute();
    expect(ack).toHaveLength(1);
    const note = await app.database.db
      .selectFrom('problem_notifications')
      .select('text')
      .where('case_id', '=', caseRow.case_id)
      .where('update_id', 'like', 'ack:%')
      .executeTakeFirstOrThrow();
    expect(note.text).toContain('in San Francisco');
    expect(note.text).not.toContain('{area}');
    // {status} is the customer's words for it, never our lifecycle's ("status: suspected").
    expect(note.text).toMatch(/status: (?:under investigation|confirmed|being fixed)\./);
    await patchProblemSettings({ app, auth }, { autoAcknowledge: false });
  });

  it('messageCount is the customer messages on the linked cases, a follow-up that complains of nothing included', async () => {
    const stored = async (id: string) => {
      const r = await app.database.db
        .selectFrom('messages')
        .innerJoin('problem_links', 'problem_links.case_id', 'messages.case_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('problem_links.problem_id', '=', id)
        .where('problem_links.unlinked_at', 'is', null)
        .where('messages.direction', '=', 'in')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };
    const messageCount = async (id: string) =>
      (
        await app.http.inject({ method: 'GET', url: `/api/v1/problems/${id}`, headers: auth })
      ).json().messageCount as number;
    const [p] = await problem();
    const before = await messageCount(p.id);
    expect(before).toBe(await stored(p.id));
    // More messages than cases: the cases hold follow-ups too.
    expect(before).toBeGreaterThan(p.caseIds.length);
    await ingestStream(
      [
        aMessage({
          channel: 'sms',
          visibility: 'private',
          author: { id: '+14155550999', name: 'Late Complainer' },
          text: 'ok, thank you',
          sentAt: new Date(now).toISOString(),
        }),
      ],
      {
        database: app.database,
        workspaceId: app.workspace.workspaceId,
        pipeline: app.pipeline,
        clock: () => now,
      },
    );
    expect(await messageCount(p.id)).toBe(before + 1);
    expect(await stored(p.id)).toBe(before + 1);
  });

  it('fixed: every linked customer gets a notification, cases pend, still-broken reopens, quiet period resolves', async () => {
    const [p] = await problem();
    now += 60_000;
    const res = await app.http.inject({
      method: 'POST',
      url: `/api/v1/problems/${p.id}/status`,
      headers: auth,
      payload: { status: 'fixed', body: 'The fibre was repaired.' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().notified).toBe(p.caseIds.length);
    // Status notices go out once their hold is over (`noticeHoldMinutes`).
    now += DEFAULT_PROBLEM_SETTINGS.noticeHoldMinutes * 60_000;
    while ((await app.outbox.runOnce(100)) > 0) {}
    const notes = await app.database.db
      .selectFrom('problem_notifications')
      .selectAll()
      .where('problem_id', '=', p.id)
      // The fix update's notifications (an earlier acknowledgement has an `ack:` update id).
      .where('update_id', 'not like', 'ack:%')
      .execute();
    expect(notes).toHaveLength(p.caseIds.length);
    const undelivered = notes.filter((n) => n.status !== 'sent');
    expect(undelivered, JSON.stringify(undelivered.map((n) => n.error))).toHaveLength(0);
    // The same, per customer, through the API: pages of 5, oldest first, every one sent.
    const seen: { caseId: string; status: string; channel: string; updateId: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof app.http.inject>> = await app.http.inject({
        method: 'GET',
        url: `/api/v1/problems/${p.id}/notifications?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        headers: auth,
      });
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json() as { items: typeof seen; nextCursor: string | null };
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    const fixNotes = seen.filter((n) => !n.updateId.startsWith('ack:'));
    expect(new Set(fixNotes.map((n) => n.caseId))).toEqual(new Set(p.caseIds));
    expect(fixNotes.every((n) => n.status === 'sent' && n.channel)).toBe(true);
    for (const bad of ['?status=lost', '?cursor=not-an-id'])
      expect(
        (
          await app.http.inject({
            method: 'GET',
            url: `/api/v1/problems/${p.id}/notifications${bad}`,
            headers: auth,
          })
        ).statusCode,
      ).toBe(400);
    expect(new Set(sent.map((s) => s.caseId))).toEqual(new Set(p.caseIds));
    const cases = await app.database.db
      .selectFrom('cases')
      .selectAll()
      .where('id', 'in', p.caseIds)
      .execute();
    for (const c of cases) expect(c.status === 'pending' || c.status === 'resolved').toBe(true);

    // One customer answers the fix, after the grace period for restoration: still broken.
    const pending = cases.find((c) => c.status === 'pending')!;
    const last = await app.database.db
      .selectFrom('messages')
      .selectAll()
      .where('case_id', '=', pending.id)
      .where('direction', '=', 'in')
      .orderBy('sent_at', 'desc')
      .executeTakeFirstOrThrow();
    const out = await app.database.db
      .selectFrom('messages')
      .selectAll()
      .where('case_id', '=', pending.id)
      .where('author_address', '=', 'system:problems')
      .executeTakeFirstOrThrow();
    await ingestStream(
      [
        {
          channel: last.channel as InboundMessage['channel'],
          externalId: `still-${engine}`,
          author: { id: last.author_address },
          text: 'It is still not working here, no signal at all',
          sentAt: new Date(now + 40 * 60_000).toISOString(),
          visibility: last.visibility as 'public' | 'private',
          inReplyTo: out.external_id,
        },
      ],
      {
        database: app.database,
        workspaceId: app.workspace.workspaceId,
        pipeline: app.pipeline,
        clock: () => now,
      },
    );
    const detail = (
      await app.http.inject({ method: 'GET', url: `/api/v1/problems/${p.id}`, headers: auth })
    ).json();
    expect(detail.stillBrokenCount).toBe(1);
    expect(detail.history.some((h: { type: string }) => h.type === 'still_broken')).toBe(true);

    now += 24 * 60 * 60_000 + 1;
    await new ProblemWorker({ database: app.database, clock: () => now }).runOnce();
    const after = await app.database.db
      .selectFrom('cases')
      .selectAll()
      .where('id', 'in', p.caseIds)
      .execute();
    const reopened = after.find((c) => c.id === pending.id)!;
    expect(reopened.status).toBe('open');
    for (const c of after) if (c.id !== pending.id) expect(c.status).toBe('resolved');
  });
});
