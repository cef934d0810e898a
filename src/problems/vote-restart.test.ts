import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { newId } from '../platform/ids.js';
import { applyDecisions } from './apply-decisions.js';
import { type Decision, Detector } from './detector/detector.js';
import { background, HOUR, MIN, T0 } from './detector/test-fixtures.js';
import type { Observation } from './detector/types.js';
import { warmDetector } from './detector-input.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { openProblems, signatureOf, toView } from './problem.store.js';

const FRESNO = { postalCode: null, city: 'Fresno', region: 'CA', country: 'US', confidence: 1 };
const NETWORK = ['no signal on my phone since this morning', 'my phone shows no bars at all today'];
const BILLING = ['I was charged twice on my bill this month', 'double charge on my card'];

/**
 * The complaints of `split-topic.test.ts`'s Fresno case: 30 hours of background, a network
 * trouble (filed under service and delivery too, so its problem takes the city's every-topic
 * key) and, an hour in, a billing trouble that goes into it until it stands out on its own.
 */
function stream(): Observation[] {
  const seen: Observation[] = [];
  const recorder = {
    observe: (o: Observation) => {
      seen.push(o);
      return [];
    },
  } as unknown as Detector;
  background(recorder, T0, T0 + 30 * HOUR, []);
  const start = T0 + 30 * HOUR;
  const complaint = (id: string, at: number, topic: string, text: string): Observation => ({
    ref: `${id}-${at}`,
    at,
    customerId: id,
    caseId: `case-${id}`,
    area: FRESNO,
    complaint: true,
    topic,
    text,
  });
  for (let i = 0; i < 40; i++) {
    const topic = i % 6 === 5 ? 'delivery' : i % 4 === 3 ? 'service' : 'network';
    seen.push(complaint(`net-${i}`, start + i * 5 * MIN, topic, NETWORK[i % 2]));
  }
  for (let i = 0; i < 30; i++)
    seen.push(complaint(`bill-${i}`, start + 60 * MIN + i * 4 * MIN, 'billing', BILLING[i % 2]));
  return seen.sort((a, b) => a.at - b.at);
}

/*
 * Issue 6: the detector knew which topic vote a case's link cast only while it lived. Rebuilt
 * after a restart, it moved complainers a second trouble took back (`split-topic.ts`) without
 * taking back their votes, so the problem they left kept counting them towards its settled topic.
 */
describe.each(ENGINES)('topic votes across a restart, on %s', (engine) => {
  const t = suiteApp(engine);
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;

  /** Stores complaints as the pipeline does (their triage is what a rebuild reads). */
  async function store(os: Observation[]) {
    const rows = os.map((o) => ({
      id: newId(),
      workspace_id: ws(),
      case_id: o.caseId,
      customer_id: o.customerId,
      channel: 'api',
      channel_id: null,
      external_id: o.ref,
      direction: 'in' as const,
      visibility: 'private' as const,
      author_address: o.customerId,
      author_name: null,
      text: o.text,
      sent_at: o.at,
      received_at: o.at,
      in_reply_to: null,
      conversation_id: null,
      language: 'en',
      attachments_json: '[]',
      triage_json: JSON.stringify({ complaint: true, spam: false, topic: o.topic, area: o.area }),
      raw_json: null,
      status: 'received',
      user_id: null,
      deleted_at: null,
      unsolicited: 0,
    }));
    for (let i = 0; i < rows.length; i += 100)
      await db()
        .insertInto('messages')
        .values(rows.slice(i, i + 100))
        .execute();
  }

  /** Writes decisions as the runtime does, against the open problems of the moment. */
  const apply = async (ds: Decision[]) => {
    const open = new Map((await openProblems(db(), ws())).map((r) => [r.id, r]));
    await db()
      .transaction()
      .execute((trx) =>
        applyDecisions(
          trx,
          ws(),
          Date.now(),
          [],
          ds,
          new Map(),
          open,
          DEFAULT_PROBLEM_SETTINGS,
          new Set(),
        ),
      );
  };

  it('takes back the votes of complainers a second trouble takes after a restart', async () => {
    const all = stream();
    // Where the second trouble is raised when nothing restarts: the restart comes just before.
    const live = new Detector();
    let split = 0;
    for (const o of all) {
      const ds = live.observe(o);
      if (!split && ds.some((d) => d.type === 'raise' && d.topic === 'billing')) split = o.at;
    }
    expect(split).toBeGreaterThan(0);
    const before = all.filter((o) => o.at < split);
    const after = all.filter((o) => o.at >= split);
    const first = new Detector();
    const decided = before.flatMap((o) => first.observe(o));
    await store(before);
    await apply(decided);
    const network = (await openProblems(db(), ws())).find((p) => p.topic === 'network');
    if (!network) throw new Error('no network problem before the restart');
    // Billing complainers it took before the restart (and their votes).
    const taken = signatureOf(network).votes?.billing ?? 0;
    expect(taken).toBeGreaterThanOrEqual(5);

    // The restart: a detector rebuilt from storage, as the runtime builds it.
    const rebuilt = await db()
      .transaction()
      .execute((trx) => warmDetector(trx, ws(), split - 1, undefined));
    rebuilt.syncProblems((await openProblems(db(), ws())).map(toView));
    const later = after.flatMap((o) => rebuilt.observe(o));
    expect(later.some((d) => d.type === 'raise' && d.topic === 'billing')).toBe(true);
    await store(after);
    await apply(later);

    // Its tally counts the complainers it holds: those the billing problem took back are gone.
    const held = await db()
      .selectFrom('problem_links')
      .select('case_id')
      .where('problem_id', '=', network.id)
      .where('unlinked_at', 'is', null)
      .execute();
    const topicOf = new Map(all.map((o) => [o.caseId, o.topic]));
    const billingHeld = held.filter((l) => topicOf.get(l.case_id) === 'billing').length;
    const row = await db()
      .selectFrom('problems')
      .selectAll()
      .where('id', '=', network.id)
      .executeTakeFirstOrThrow();
    expect(billingHeld).toBeLessThan(taken);
    // Before: the moved complainers' votes stayed (as many as it took before the restart).
    expect(signatureOf(row).votes?.billing ?? 0).toBe(billingHeld);
  }, 60_000);
});
