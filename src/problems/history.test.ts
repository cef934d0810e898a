import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { simulate } from '../simulate/index.js';
import { addWebhookTarget, patchProblemSettings } from './test-world.js';

const DAY = 86_400_000;

/**
 * History read in (`throughline replay`, an import) raises its problems as the live desk would
 * have, but pages nobody and messages no customer today; the same trouble live does escalate.
 */
describe.each(ENGINES)('problems of history on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(engine);
    await addWebhookTarget(t);
    const patch = await patchProblemSettings(t, { autoAcknowledge: true });
    expect(patch.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });
  const db = () => t.app.database.db;

  /** The simulator's outage scenario, starting at `start`, through the real pipeline. */
  async function outage(start: number, seed = 1) {
    const messages: InboundMessage[] = [];
    for (const e of simulate({ scenario: 'outage', seed, start: new Date(start).toISOString() }))
      if (e.type === 'message') messages.push(e.message);
    messages.sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt));
    await ingestStream(messages, {
      database: t.app.database,
      workspaceId: t.app.workspace.workspaceId,
      pipeline: t.app.pipeline,
    });
    return { from: start, to: Date.parse(messages[messages.length - 1].sentAt) };
  }
  const problemsDetected = (w: { from: number; to: number }) =>
    db()
      .selectFrom('problems')
      .select(['id'])
      .where('detected_at', '>=', w.from)
      .where('detected_at', '<=', w.to)
      .execute();
  const outboxOf = async (kind: string, ids: string[]) =>
    (
      await db().selectFrom('outbox').select('payload_json').where('kind', '=', kind).execute()
    ).filter((r) => ids.some((id) => r.payload_json.includes(id)));

  it('a replayed outage of 40 days ago is raised but escalates and acknowledges nothing', async () => {
    const span = await outage(Date.now() - 40 * DAY);
    const ids = (await problemsDetected(span)).map((p) => p.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(await outboxOf('problem_escalate', ids)).toEqual([]);
    expect(await outboxOf('notify_customer', ids)).toEqual([]);
    // Its history is in event time: every detector entry lies in the replayed span, not today.
    const events = await db()
      .selectFrom('problem_events')
      .select(['type', 'event_at'])
      .where('problem_id', 'in', ids)
      .where('actor_type', '=', 'system')
      .execute();
    expect(events.length).toBeGreaterThan(0);
    const late = events.filter((e) => Number(e.event_at) > span.to + DAY);
    expect(late).toEqual([]);
  });

  it('the same outage live escalates', async () => {
    // The scenario spans a few hours; it starts early enough to have ended by now.
    const span = await outage(Date.now() - 5 * 3_600_000);
    const ids = (await problemsDetected(span)).map((p) => p.id);
    expect(ids.length).toBeGreaterThan(0);
    expect((await outboxOf('problem_escalate', ids)).length).toBeGreaterThan(0);
    // Every case the problem holds says so in its history: founding links ('detected') too,
    // not only complaints linked on arrival (with their acknowledgement).
    const linked = await db()
      .selectFrom('problem_links')
      .select('case_id')
      .where('problem_id', 'in', ids)
      .where('unlinked_at', 'is', null)
      .execute();
    const told = await db()
      .selectFrom('case_events')
      .select(['case_id', 'data_json'])
      .where('type', '=', 'problem_linked')
      .execute();
    const withEntry = new Set(told.map((e) => e.case_id));
    expect(linked.filter((l) => !withEntry.has(l.case_id))).toEqual([]);
    expect(told.some((e) => JSON.parse(e.data_json).how === 'detected')).toBe(true);
  });

  it('history replayed after later traffic is detected in its own time; the live problem is left alone', async () => {
    const live = await db()
      .selectFrom('problems')
      .select(['id', 'status', 'customer_count'])
      .where('detected_at', '>', Date.now() - DAY)
      .execute();
    expect(live.length).toBeGreaterThan(0);
    // The live detector stands at today; for it, these messages are older than every window.
    const span = await outage(Date.now() - 20 * DAY, 2);
    const found = await db()
      .selectFrom('problems')
      .select(['id', 'customer_count', 'detected_at'])
      .where('detected_at', '>=', span.from)
      .where('detected_at', '<=', span.to)
      .execute();
    expect(found.length).toBeGreaterThan(0);
    expect(Math.max(...found.map((p) => p.customer_count))).toBeGreaterThanOrEqual(20);
    expect(
      await outboxOf(
        'problem_escalate',
        found.map((p) => p.id),
      ),
    ).toEqual([]);
    // Today's problem took none of last month's customers and kept its status.
    const after = await db()
      .selectFrom('problems')
      .select(['id', 'status', 'customer_count'])
      .where(
        'id',
        'in',
        live.map((p) => p.id),
      )
      .execute();
    expect(after.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      live.sort((a, b) => a.id.localeCompare(b.id)),
    );
  });
});
