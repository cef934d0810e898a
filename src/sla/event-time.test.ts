import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { appendInbound } from '../ingest/inbound.log.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

const M = 60_000;
const H = 60 * M;

/**
 * SLA deadlines are event times, but the scheduler fires them by the wall clock. Beside a replay
 * (or a catch-up of a backlog) the wall clock is long past a history case's deadline while the
 * agent's reply that met it still waits in the inbound log: the case breached falsely, and the
 * reply, once processed, left the breach standing.
 */
describe.each(ENGINES)('SLA deadlines in event time on %s', (engine) => {
  const t = suiteApp(engine);
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;
  const api = (url: string) => t.app.http.inject({ method: 'GET', url, headers: t.auth });
  /** Logs messages without processing them: they wait in the inbound log, as in a backlog. */
  const log = (...msgs: InboundMessage[]) => appendInbound(db(), ws(), msgs, Date.now());
  const ingest = async (...msgs: InboundMessage[]) => {
    await log(...msgs);
    await t.app.pipeline.drain();
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  const priv = { channel: 'sms' as const, visibility: 'private' as const };
  let phone = 0;
  const customer = (sentAt: number) =>
    aMessage({ ...priv, author: { id: `+1415555${String(7000 + phone++)}` }, sentAt: iso(sentAt) });
  const agentReply = (to: InboundMessage, sentAt: number) =>
    aMessage({
      ...priv,
      author: { id: 'brand' },
      direction: 'out',
      inReplyTo: to.externalId,
      text: 'Sorry about that, we are looking into it now.',
      sentAt: iso(sentAt),
    });
  const caseOf = async (m: InboundMessage) =>
    (
      await db()
        .selectFrom('messages')
        .select('case_id')
        .where('external_id', '=', m.externalId)
        .executeTakeFirstOrThrow()
    ).case_id!;
  type Sla = {
    clocks: Record<string, { dueAt: string | null; metAt: string | null; breached: boolean }>;
    events: { clock: string; kind: string }[];
  };
  const sla = async (caseId: string) => (await api(`/api/v1/cases/${caseId}/sla`)).json() as Sla;
  const history = async (caseId: string) =>
    db()
      .selectFrom('case_events')
      .select(['type', 'data_json', 'event_at'])
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .execute();
  const tick = (at = Date.now()) => t.app.care.scheduler.tick(at);
  const watch = () => {
    const events: { type: string; data: Record<string, unknown> }[] = [];
    return { events, off: t.app.bus.subscribe((e) => events.push(e)) };
  };

  it('a deadline waits while an event from before it is still in the inbound log; the reply meets it', async () => {
    const t0 = Date.now() - 10 * H;
    const opened = customer(t0);
    await ingest(opened);
    const caseId = await caseOf(opened);
    const due = Date.parse((await sla(caseId)).clocks.first_response.dueAt!);
    expect(due).toBeLessThan(Date.now());
    // The agent answered 30 minutes in; the replay has logged that reply but not processed it yet.
    await log(agentReply(opened, t0 + 30 * M));
    await tick();
    expect((await sla(caseId)).events).toEqual([]);
    expect((await history(caseId)).map((e) => e.type)).not.toContain('sla_breached');

    await t.app.pipeline.drain();
    await tick();
    const after = await sla(caseId);
    expect(after.clocks.first_response).toMatchObject({
      metAt: iso(t0 + 30 * M),
      breached: false,
    });
    expect(after.events).toEqual([]);
  });

  it('a live deadline breaches on time beside a backlog that cannot meet it', async () => {
    const now = Date.now();
    const live = customer(now - 2 * 24 * H + 5 * M);
    await ingest(live);
    const caseId = await caseOf(live);
    const due = Date.parse((await sla(caseId)).clocks.first_response.dueAt!);
    expect(due).toBeLessThan(now);
    // Waiting in the log: history from before this case's clocks started, and newer traffic
    // than its deadline. Neither can meet it in event time.
    await log(customer(now - 30 * 24 * H), customer(now));
    await tick(now);
    const s = await sla(caseId);
    expect(s.clocks.first_response.breached).toBe(true);
    expect(s.events).toContainEqual(
      expect.objectContaining({ clock: 'first_response', kind: 'breached' }),
    );
    await t.app.pipeline.drain();
  });

  it('a reply from before the deadline that reaches the desk after the breach withdraws it', async () => {
    const t0 = Date.now() - 10 * H;
    const opened = customer(t0);
    await ingest(opened);
    const caseId = await caseOf(opened);
    const due = Date.parse((await sla(caseId)).clocks.first_response.dueAt!);
    // Nothing older is waiting: the breach fires, as it must on what the desk knows.
    await tick();
    expect((await sla(caseId)).clocks.first_response.breached).toBe(true);

    // The reply, sent before the deadline, reaches the desk only now (a late catch-up).
    await ingest(agentReply(opened, t0 + 20 * M));
    const s = await sla(caseId);
    expect(s.clocks.first_response).toMatchObject({ metAt: iso(t0 + 20 * M), breached: false });
    expect(s.events.filter((e) => e.kind === 'breached')).toEqual([]);
    const withdrawn = (await history(caseId)).find((e) => e.type === 'sla_breach_withdrawn');
    expect(withdrawn).toBeDefined();
    expect(Number(withdrawn!.event_at)).toBe(t0 + 20 * M);
    expect(JSON.parse(withdrawn!.data_json)).toEqual({
      clock: 'first_response',
      dueAt: iso(due),
      metAt: iso(t0 + 20 * M),
    });
  });

  it('a reply after the deadline leaves the breach standing', async () => {
    const t0 = Date.now() - 10 * H;
    const opened = customer(t0);
    await ingest(opened);
    const caseId = await caseOf(opened);
    const due = Date.parse((await sla(caseId)).clocks.first_response.dueAt!);
    await tick();
    await ingest(agentReply(opened, due + M));
    const s = await sla(caseId);
    expect(s.clocks.first_response).toMatchObject({ metAt: iso(due + M), breached: true });
    expect(s.events).toContainEqual(
      expect.objectContaining({ clock: 'first_response', kind: 'breached' }),
    );
    expect((await history(caseId)).map((e) => e.type)).not.toContain('sla_breach_withdrawn');
  });

  it('a deadline missed by a reply the desk processed before the breach fired is still recorded', async () => {
    const t0 = Date.now() - 10 * H;
    const opened = customer(t0);
    // A replay logs both before the scheduler looks: the late reply is processed first.
    await log(opened);
    const reply = agentReply(opened, t0 + 9 * H);
    await ingest(reply);
    const caseId = await caseOf(opened);
    const before = await sla(caseId);
    expect(before.clocks.first_response).toMatchObject({ metAt: iso(t0 + 9 * H), breached: true });
    const seen = watch();
    await tick();
    seen.off();
    const s = await sla(caseId);
    expect(s.events).toContainEqual(
      expect.objectContaining({ clock: 'first_response', kind: 'breached' }),
    );
    expect((await history(caseId)).map((e) => e.type)).toContain('sla_breached');
    const live = seen.events.find((e) => e.type === 'sla.breached' && e.data.caseId === caseId);
    expect(live?.data).toMatchObject({ clock: 'first_response', late: true });
    // Once: a second look records nothing more.
    await tick();
    expect((await sla(caseId)).events.filter((e) => e.kind === 'breached')).toHaveLength(1);
  });

  it('a missed next-response deadline is recorded though the customer wrote again at once', async () => {
    const t0 = Date.now() - 20 * H;
    const opened = customer(t0);
    const author = opened.author;
    const asked = aMessage({ ...priv, author, text: 'Any news?', sentAt: iso(t0 + 20 * M) });
    const late = agentReply(asked, t0 + 12 * H);
    const again = aMessage({ ...priv, author, text: 'Still down', sentAt: iso(t0 + 12 * H + M) });
    await ingest(opened, agentReply(opened, t0 + 10 * M), asked, late, again);
    const caseId = await caseOf(opened);
    const clocks = (await sla(caseId)).clocks;
    // The next-response clock started again at the customer's last message.
    expect(clocks.next_response).toMatchObject({ metAt: null, breached: false });
    await tick(t0 + 12 * H + 2 * M);
    const breaches = (await sla(caseId)).events.filter(
      (e) => e.kind === 'breached' && e.clock !== 'resolution',
    );
    expect(breaches).toEqual([expect.objectContaining({ clock: 'next_response' })]);
    await t.app.pipeline.drain();
  });
});
