import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { applyDecisions, type OpenProblemRow } from './apply-decisions.js';
import type { DetectorConfig } from './detector/config.js';
import type { Decision } from './detector/detector.js';
import { CITIES, complain, linkedTo, MIN, raises, warmed } from './detector/test-fixtures.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { insertProblem } from './problem.store.js';

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
  for (let i = 0; i < 40; i++) {
    const topic = i % 4 === 3 ? 'network' : 'outage';
    out.push(...complain(det, `later-${i}`, start + 20 * MIN + i * MIN, AUSTIN, topic));
  }
  const problem = raises(out).find((r) => r.area?.city === 'Austin');
  const settled = out.filter((d) => d.type === 'retopic');
  const linked = problem ? linkedTo(out, problem.problemId) : new Set<string>();
  return { problem, settled, linked };
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

describe.each(ENGINES)('a settled topic stored on %s', (engine) => {
  let t: TestApp;
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;
  beforeAll(async () => {
    t = await testApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function problem(human: boolean) {
    const at = Date.parse('2026-03-10T12:00:00Z');
    return insertProblem(
      db(),
      ws(),
      {
        kind: 'area',
        status: 'suspected',
        title: 'device — Austin',
        topic: 'device',
        area: { postalCode: null, city: 'Austin', region: 'TX', country: 'US' },
        areaKey: 't:US:TX:austin',
        signature: { keys: ['device@t:US:TX:austin'], terms: [], teamId: null, human },
        owner: 'Devices',
        baseline: null,
        detectedAt: at,
        firstEventAt: at,
      },
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

  it('leaves a problem a person acted on as they read it', async () => {
    const p = await problem(true);
    await settle(p.id);
    expect(await read(p.id)).toMatchObject({ topic: 'device', owner: 'Devices' });
  });
});
