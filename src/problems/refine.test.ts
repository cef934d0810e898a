import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import type { OpenProblemRow } from './apply-decisions.js';
import { insertProblem, toView } from './problem.store.js';
import { aProblem, problemsWorld } from './test-world.js';

/*
 * The detector found where inside Austin the trouble is (one ZIP code): the problem shows that
 * place, keeps being counted in the city, and routing by area names its owner again.
 */
describe.each(ENGINES)('a problem shown at a narrower place on %s', (engine) => {
  let t: TestApp;
  const { db, ws, autoProblem, problem: read, decide } = problemsWorld(() => t);
  const at = Date.parse('2026-03-10T12:00:00Z');
  beforeAll(async () => {
    t = await testApp(engine);
    await db()
      .insertInto('teams')
      .values({ id: 't-south', workspace_id: ws(), name: 'Austin south crew', created_at: 0 })
      .execute();
    await db()
      .insertInto('queues')
      .values({
        id: 'q-south',
        workspace_id: ws(),
        name: 'South Austin network',
        team_id: 't-south',
        is_default: 0,
        created_at: 0,
      })
      .execute();
    await db()
      .insertInto('routing_rules')
      .values({
        id: 'south',
        workspace_id: ws(),
        name: 'south',
        position: 0,
        conditions_json: JSON.stringify({
          topic: ['network'],
          area: { postalPrefix: ['7874'] },
        }),
        queue_id: 'q-south',
        enabled: 1,
        created_at: 0,
      })
      .execute();
  });
  afterAll(async () => {
    await t?.close();
  });

  const refine = (p: OpenProblemRow) =>
    decide(
      at + 3_600_000,
      [
        {
          type: 'refine',
          problemId: p.id,
          at: at + 1_800_000,
          areaKey: 't:US:TX:austin',
          area: { postalCode: '78745', city: 'Austin', region: 'TX', country: 'US' },
          key: 'network@t:US:TX:austin',
        },
      ],
      new Map<string, OpenProblemRow>([[p.id, p]]),
    );

  /** A suspected Austin network problem owned by "Network operations", as stored. */
  const problem = async (human: boolean) => read(await autoProblem([], { human }));

  it('shows the ZIP code, is still counted in the city, and is owned as routing says', async () => {
    const p = await problem(false);
    await refine(p);
    const row = await read(p.id);
    expect(JSON.parse(row.area_json!)).toEqual({
      postalCode: '78745',
      city: 'Austin',
      region: 'TX',
      country: 'US',
    });
    expect(row.area_key).toBe('t:US:TX:austin');
    expect(row.title).toMatch(/78745/);
    expect({ owner: row.owner, team: row.owner_team_id }).toEqual({
      owner: 'Austin south crew',
      team: 't-south',
    });
    // A rebuilt detector counts it in the city and knows the place it shows.
    const view = toView(row);
    expect(view.chain[0]).toBe('t:US:TX:austin');
    expect(view.shownKey).toBe('p:US:78745');
    const events = await db()
      .selectFrom('problem_events')
      .select(['type', 'data_json'])
      .where('problem_id', '=', p.id)
      .execute();
    expect(events.find((e) => e.type === 'area_refined')?.data_json).toMatch(/78745/);
  });

  it('widens a text cluster to the whole country, keeping its words in the title', async () => {
    const row0 = await insertProblem(
      db(),
      ws(),
      aProblem(at, {
        kind: 'text',
        topic: null,
        title: 'Many similar complaints: "caller" — NE',
        area: { postalCode: null, city: null, region: 'NE', country: 'US' },
        areaKey: 'r:US:NE',
        signature: { keys: ['w:caller'], terms: ['caller'], teamId: null, human: false },
      }),
      at,
    );
    const p = await read(row0.id);
    await decide(
      at + 3_600_000,
      [
        {
          type: 'refine',
          problemId: p.id,
          at: at + 1_800_000,
          areaKey: null,
          area: { postalCode: null, city: null, region: null, country: 'US' },
          key: 'w:caller',
        },
      ],
      new Map<string, OpenProblemRow>([[p.id, p]]),
    );
    const row = await read(p.id);
    expect(row.area_key).toBeNull();
    expect(JSON.parse(row.area_json!)).toEqual({
      postalCode: null,
      city: null,
      region: null,
      country: 'US',
    });
    expect(row.title).toBe('Many similar complaints: "caller" — US');
    expect(toView(row)).toMatchObject({ areaKey: null, kind: 'text', keys: ['w:caller'] });
    // Its complainers in no one country: no area at all (SQL null, as a raise stores it).
    await decide(
      at + 3_700_000,
      [
        {
          type: 'refine',
          problemId: p.id,
          at: at + 1_900_000,
          areaKey: null,
          area: null,
          key: 'w:caller',
        },
      ],
      new Map<string, OpenProblemRow>([[p.id, await read(p.id)]]),
    );
    expect((await read(p.id)).area_json).toBeNull();
  });

  it('names the topic a text cluster settles on, keeping its words in the title', async () => {
    const row0 = await insertProblem(
      db(),
      ws(),
      aProblem(at, {
        kind: 'text',
        topic: null,
        title: 'Many similar complaints: "bars" — everywhere',
        area: null,
        areaKey: null,
        signature: { keys: ['w:bars'], terms: ['bars'], teamId: null, human: false },
      }),
      at,
    );
    const p = await read(row0.id);
    await decide(
      at + 3_600_000,
      [{ type: 'retopic', problemId: p.id, at: at + 1_800_000, topic: 'network' }],
      new Map<string, OpenProblemRow>([[p.id, p]]),
    );
    const row = await read(p.id);
    expect(row.topic).toBe('network');
    expect(row.kind).toBe('text');
    expect(row.title).toBe('network — everywhere (many similar complaints: "bars")');
  });

  it('keeps the owner a person chose', async () => {
    const p = await problem(true);
    await refine(p);
    const row = await read(p.id);
    expect(JSON.parse(row.area_json!).postalCode).toBe('78745');
    expect(row.owner).toBe('Network operations');
  });
});
