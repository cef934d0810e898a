import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { applyDecisions, type OpenProblemRow } from './apply-decisions.js';
import type { DetectorConfig } from './detector/config.js';
import type { Decision } from './detector/detector.js';
import { CITIES, complain, linkedTo, MIN, raises, warmed } from './detector/test-fixtures.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { insertProblem } from './problem.store.js';
import { aProblem } from './test-world.js';

const AUSTIN = CITIES[2];

/*
 * Austin loses service. Its first reports read as network trouble ("no signal"), so the
 * network key stands out first and the problem is raised under it; the later reports, most of
 * them, are labelled outage. The problem takes the topic its complainers agree on.
 */
function austinOutage(config: Partial<DetectorConfig>) {
  const { det, start } = warmed(config);
  const out: Decision[] = [];
  for (let i = 0; i < 8; i++)
    out.push(...complain(det, `first-${i}`, start + i * 2 * MIN, AUSTIN, 'network'));
  let settledAt: number | null = null;
  for (let i = 0; i < 40; i++) {
    const topic = i % 4 === 3 ? 'network' : 'outage';
    const ds = complain(det, `later-${i}`, start + 20 * MIN + i * MIN, AUSTIN, topic);
    if (settledAt === null && ds.some((d) => d.type === 'retopic')) settledAt = i;
    out.push(...ds);
  }
  const problem = raises(out).find((r) => r.area?.city === 'Austin');
  const settled = out.filter((d) => d.type === 'retopic');
  const linked = problem ? linkedTo(out, problem.problemId) : new Set<string>();
  return { problem, settled, linked, settledAt };
}

describe('problem detector: a problem settles on the topic its complainers name', () => {
  it('an outage first read as network trouble becomes an outage problem', () => {
    const { problem, settled, linked } = austinOutage({});
    expect(problem?.topic).toBe('network');
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ problemId: problem!.problemId, topic: 'outage' });
    // It keeps taking the trouble's complaints under either name.
    expect([...linked].filter((id) => id.startsWith('later-')).length).toBeGreaterThan(35);
    // Control: with the rule off the problem keeps the first key's topic.
    expect(austinOutage({ topicSettleMs: 0 }).settled).toHaveLength(0);
  });

  it('stays put when the first topic still leads', () => {
    const { det, start } = warmed();
    const out: Decision[] = [];
    for (let i = 0; i < 40; i++) {
      const topic = i % 3 === 2 ? 'outage' : 'network';
      out.push(...complain(det, `c-${i}`, start + i * MIN, AUSTIN, topic));
    }
    expect(raises(out).find((r) => r.area?.city === 'Austin')?.topic).toBe('network');
    expect(out.filter((d) => d.type === 'retopic')).toHaveLength(0);
  });
});

describe('problem detector: settled-topic votes survive a rebuild', () => {
  it('a detector rebuilt from storage counts on from the stored votes', () => {
    // Live: one detector sees the whole outage and settles on outage.
    const live = austinOutage({});
    expect(live.settled).toHaveLength(1);
    // Rebuilt half-way: a fresh detector gets the stored problem (with or without its stored
    // votes) and its linked cases, then sees the rest of the outage.
    const { det, start } = warmed();
    const early: Decision[] = [];
    for (let i = 0; i < 8; i++)
      early.push(...complain(det, `first-${i}`, start + i * 2 * MIN, AUSTIN, 'network'));
    const raised = raises(early).find((r) => r.area?.city === 'Austin')!;
    const view = det.problemViews().find((v) => v.id === raised.problemId)!;
    const settleAfter = (votes: Record<string, number>) => {
      // As `warmDetector` does: the stored history replayed silently, the links noted, then
      // the open problems synced from storage.
      const fresh = warmed().det;
      fresh.silent = true;
      for (let i = 0; i < 8; i++)
        complain(fresh, `first-${i}`, start + i * 2 * MIN, AUSTIN, 'network');
      fresh.silent = false;
      for (const c of linkedTo(early, raised.problemId))
        fresh.noteCaseLink(`case-${c}`, raised.problemId);
      fresh.syncProblems([{ ...view, votes }]);
      for (let i = 0; i < 40; i++) {
        const topic = i % 4 === 3 ? 'network' : 'outage';
        const ds = complain(fresh, `later-${i}`, start + 20 * MIN + i * MIN, AUSTIN, topic);
        if (ds.some((d) => d.type === 'retopic')) return i;
      }
      return null;
    };
    const stored = Object.fromEntries([['network', linkedTo(early, raised.problemId).size]]);
    const withVotes = settleAfter(stored);
    const without = settleAfter({});
    // With the stored votes it settles on the same complaint as the live detector did; without
    // them (the old code kept votes only in memory) it settles early, on a count that forgot
    // the first reports.
    expect(live.settledAt).not.toBeNull();
    expect(withVotes).toBe(live.settledAt);
    expect(without).not.toBeNull();
    expect(without!).toBeLessThan(withVotes!);
  });
});

describe.each(ENGINES)('a settled topic stored on %s', (engine) => {
  const t = suiteApp(engine);
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;

  async function problem(human: boolean) {
    const at = Date.parse('2026-03-10T12:00:00Z');
    return insertProblem(
      db(),
      ws(),
      aProblem(at, {
        title: 'device — Austin',
        topic: 'device',
        area: { postalCode: null, city: 'Austin', region: 'TX', country: 'US' },
        areaKey: 't:US:TX:austin',
        signature: { keys: ['device@t:US:TX:austin'], terms: [], teamId: null, human },
        owner: 'Devices',
      }),
      at,
    );
  }

  const settle = (id: string) =>
    db()
      .transaction()
      .execute((trx) =>
        applyDecisions(
          trx,
          ws(),
          Date.parse('2026-03-10T13:00:00Z'),
          [],
          [
            {
              type: 'retopic',
              problemId: id,
              at: Date.parse('2026-03-10T13:00:00Z'),
              topic: 'billing',
            },
          ],
          new Map(),
          new Map<string, OpenProblemRow>(),
          DEFAULT_PROBLEM_SETTINGS,
          new Set(),
        ),
      );

  /** Cases made by the real pipeline, one per new customer. */
  async function makeCases(n: number) {
    const ms = Array.from({ length: n }, (_, i) =>
      aMessage({ text: 'my phone shows no bars', author: { id: `topic-${i}-${Math.random()}` } }),
    );
    await appendInbound(db(), ws(), ms, Date.now());
    await t.app.pipeline.drain();
    return db()
      .selectFrom('messages')
      .select(['case_id as id', 'customer_id'])
      .where(
        'external_id',
        'in',
        ms.map((m) => m.externalId),
      )
      .execute();
  }

  const read = (id: string) =>
    db()
      .selectFrom('problems')
      .select(['topic', 'title', 'owner'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('takes the topic, a title and an owner to match, and says so in its history', async () => {
    await db()
      .insertInto('integrations')
      .values({
        id: 'hook-1',
        workspace_id: ws(),
        kind: 'webhook',
        name: 'ops',
        config_json: '{}',
        secrets_enc: null,
        created_at: 0,
        disabled_at: null,
      })
      .execute();
    const p = await problem(false);
    await settle(p.id);
    // Escalation targets hear of it (the owner may have changed).
    const queued = await db()
      .selectFrom('outbox')
      .select('payload_json')
      .where('kind', '=', 'problem_escalate')
      .execute();
    expect(queued.map((q) => JSON.parse(q.payload_json))).toContainEqual(
      expect.objectContaining({ problemId: p.id, event: 'problem.updated' }),
    );
    const row = await read(p.id);
    expect(row.topic).toBe('billing');
    expect(row.title).toMatch(/billing/);
    expect(row.owner).not.toBe('Devices');
    const events = await db()
      .selectFrom('problem_events')
      .select(['type', 'data_json'])
      .where('problem_id', '=', p.id)
      .execute();
    const settled = events.find((e) => e.type === 'topic_settled');
    expect(JSON.parse(settled!.data_json!)).toMatchObject({ from: 'device', to: 'billing' });
  });

  it('stores one vote per newly linked case, for named topics in its first day', async () => {
    const p = await problem(false);
    const cases = await makeCases(3);
    const at = Date.parse('2026-03-10T12:30:00Z');
    const link = (i: number, topic: string | null, when = at): Decision => ({
      type: 'link',
      problemId: p.id,
      member: {
        ref: `r-${i}-${when}`,
        caseId: cases[i].id,
        customerId: cases[i].customer_id!,
        at: when,
        topic,
      },
      reason: 'arrival',
    });
    await db()
      .transaction()
      .execute((trx) =>
        applyDecisions(
          trx,
          ws(),
          at,
          [],
          [
            link(0, 'billing'),
            link(0, 'device'), // the same case again: no second vote
            link(1, 'other'), // triage did not know: no vote
            link(2, 'billing', at + 2 * 86_400_000), // after its first day: no vote
          ],
          new Map(),
          new Map<string, OpenProblemRow>([[p.id, p]]),
          DEFAULT_PROBLEM_SETTINGS,
          new Set(),
        ),
      );
    const row = await db()
      .selectFrom('problems')
      .select('signature_json')
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.signature_json!).votes).toEqual({ billing: 1 });
  });

  it('leaves a problem a person acted on as they read it', async () => {
    const p = await problem(true);
    await settle(p.id);
    expect(await read(p.id)).toMatchObject({ topic: 'device', owner: 'Devices' });
  });
});
