import { describe, expect, it } from 'vitest';
import { aMessage } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';
import { careWorld, iso } from '../../cases/test-world.js';
import { REPUTATION_FOLLOWERS } from '../../routing/reputation.js';
import type { InboundMessage } from '../inbound.schema.js';
import { ingestStream } from '../ingest-stream.js';

const HOUR = 3_600_000;

/**
 * `throughline import` logs its messages as history: the cases they open are past work, not the
 * agents' queue, and run no SLA clock; the customer's next live message is threaded as usual.
 */
describe.each(ENGINES)('imported history on %s', (engine) => {
  const t = suiteApp(engine);
  const w = careWorld(() => t);
  const db = w.db;
  const feed = (messages: InboundMessage[], history: boolean) =>
    ingestStream(messages, {
      database: t.app.database,
      workspaceId: t.app.workspace.workspaceId,
      pipeline: t.app.pipeline,
      history,
    });
  const caseOf = (m: InboundMessage) => w.caseOf(m.externalId);
  const clocksOf = async (caseId: string) => ({
    sla: await db()
      .selectFrom('case_sla')
      .select('case_id')
      .where('case_id', '=', caseId)
      .execute(),
    timers: await db()
      .selectFrom('timers')
      .select('id')
      .where('ref_id', '=', caseId)
      .where('kind', 'like', 'sla.%')
      .execute(),
    breaches: await db()
      .selectFrom('sla_events')
      .select('id')
      .where('case_id', '=', caseId)
      .execute(),
  });
  const tweet = (over: Partial<InboundMessage>) =>
    aMessage({ channel: 'x', visibility: 'public', ...over });

  it('lands resolved with no clock, queue turn or alert, and is closed as resolved cases are', async () => {
    const at = Date.UTC(2017, 9, 31, 22, 10);
    const ask = tweet({
      author: { id: '1001', handle: '1001', followers: REPUTATION_FOLLOWERS * 10 },
      text: 'my phone has no signal since this morning, fix it',
      sentAt: iso(at),
    });
    const answer = tweet({
      direction: 'out',
      author: { id: 'sprintcare', handle: 'sprintcare' },
      text: 'Sorry to hear that, please DM us',
      sentAt: iso(at + 5 * 60_000),
      inReplyTo: ask.externalId,
    });
    const again = tweet({
      author: { id: '1001', handle: '1001' },
      text: 'still nothing, this is ridiculous',
      sentAt: iso(at + 2 * HOUR),
      inReplyTo: answer.externalId,
    });
    await feed([ask, answer, again], true);
    const c = await caseOf(ask);
    expect((await caseOf(again)).id).toBe(c.id);
    expect(c).toMatchObject({
      status: 'resolved',
      assignee_id: null,
      message_count: 3,
      reopen_count: 0,
    });
    expect(Number(c.resolved_at)).toBe(at + 2 * HOUR);
    expect(Number(c.first_response_at)).toBe(at + 5 * 60_000);
    const history = await db()
      .selectFrom('case_events')
      .select(['type', 'data_json'])
      .where('case_id', '=', c.id)
      .execute();
    expect(history.map((h) => h.type)).toEqual(['created']);
    expect(JSON.parse(history[0].data_json)).toMatchObject({ history: true, status: 'resolved' });
    expect(await db().selectFrom('reputation_alerts').selectAll().execute()).toEqual([]);

    await t.app.care.scheduler.tick(Date.now());
    expect(await clocksOf(c.id)).toEqual({ sla: [], timers: [], breaches: [] });
    // Past the reopen window: closed by the auto-close sweep, as any quiet resolved case.
    expect((await caseOf(ask)).status).toBe('closed');

    // The customer writes today: a new case, live, with its clocks.
    const today = tweet({
      author: { id: '1001', handle: '1001' },
      sentAt: iso(Date.now() - 60_000),
    });
    await feed([today], false);
    const live = await caseOf(today);
    expect(live.id).not.toBe(c.id);
    expect(live.status).toBe('new');
    expect((await clocksOf(live.id)).sla).toHaveLength(1);
  });

  it('is reopened by a live message within the reopen window, which starts the clocks', async () => {
    const recent = tweet({
      author: { id: '2002', handle: '2002' },
      text: 'the app logs me out every hour',
      sentAt: iso(Date.now() - 3 * HOUR),
    });
    await feed([recent], true);
    const c = await caseOf(recent);
    expect(c.status).toBe('resolved');
    expect(await clocksOf(c.id)).toEqual({ sla: [], timers: [], breaches: [] });
    const back = tweet({
      author: { id: '2002', handle: '2002' },
      text: 'it happened again',
      sentAt: iso(Date.now() - 60_000),
      inReplyTo: recent.externalId,
    });
    await feed([back], false);
    const reopened = await caseOf(back);
    expect(reopened).toMatchObject({ id: c.id, status: 'open', reopen_count: 1 });
    expect((await clocksOf(c.id)).sla).toHaveLength(1);
  });
});
