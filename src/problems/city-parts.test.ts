import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { resolveOwner } from './owner.js';
import { loadProblemSettings } from './problem.settings.js';
import type { ProblemArea } from './problem.store.js';
import { patchProblemSettings, problemsWorld } from './test-world.js';

/**
 * A city's owner rule takes the problems of its parts that the ZIP gazetteer names as cities of
 * their own (New York's boroughs and Queens' neighbourhoods), and the problem list's area filter
 * for the city finds exactly the problems the rule takes (one function, `placeWithin`). A rule
 * for "New York, NY" once took no problem in Brooklyn, the Bronx, Staten Island or Queens.
 */
describe.each(ENGINES)('a city rule takes the parts of the city on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, ws, api, cases, ingest } = problemsWorld(() => t);
  /** A problem made by hand from a new case, with no topic (so only area rules apply). */
  const made = async (area: Record<string, string>) => {
    const [c] = await cases(1);
    const res = await api('POST', '/api/v1/problems', { caseId: c.case_id, area });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; owner: string | null };
  };
  const listed = async (area: string) => {
    const res = await api('GET', `/api/v1/problems?area=${encodeURIComponent(area)}&limit=100`);
    expect(res.statusCode, `${area}: ${res.body}`).toBe(200);
    return res.json().items.map((p: { id: string }) => p.id) as string[];
  };

  it('"New York, NY" owns Brooklyn, the Bronx, Staten Island and Queens, not its suburbs; the list agrees', async () => {
    const res = await patchProblemSettings(t, {
      ownerRules: [{ team: 'Field services', area: 'New York, NY' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const inside: Record<string, string>[] = [
      { city: 'New York', region: 'NY' },
      { postalCode: '10001' }, // Manhattan
      { city: 'Brooklyn', region: 'NY' },
      { postalCode: '11201' }, // Brooklyn
      { city: 'Bronx', region: 'NY' },
      { city: 'Staten Island', region: 'NY' },
      { postalCode: '10314' }, // Staten Island
      { city: 'Flushing', region: 'NY' }, // Queens, named by the post office
      { postalCode: '11432' }, // Jamaica, Queens
      { city: 'Long Island City', region: 'NY' },
      { postalCode: '11005' }, // Floral Park's Queens side
    ];
    const outside: Record<string, string>[] = [
      { postalCode: '11021' }, // Great Neck, Nassau County
      { city: 'Valley Stream', region: 'NY' }, // Nassau County
      { city: 'Yonkers', region: 'NY' }, // Westchester, north of the Bronx
      { postalCode: '11001' }, // Floral Park, Nassau County
      // By name alone Floral Park is both (11005 is Queens', 11001 Nassau's): not taken.
      { city: 'Floral Park', region: 'NY' },
      { city: 'Jersey City', region: 'NJ' }, // across the river
      { city: 'Albany', region: 'NY' },
      { region: 'NY' }, // the state's problem is not the city's (it covers it: listed, below)
    ];
    const owned: string[] = [];
    for (const area of inside) {
      const p = await made(area);
      expect(p.owner, JSON.stringify(area)).toBe('Field services');
      owned.push(p.id);
    }
    const notOwned: string[] = [];
    for (const area of outside) {
      const p = await made(area);
      expect(p.owner, JSON.stringify(area)).toBeNull();
      notOwned.push(p.id);
    }
    const list = await listed('New York, NY');
    expect(owned.filter((id) => !list.includes(id))).toEqual([]);
    // Of the rest only the state's problem, which covers the city, is listed.
    expect(notOwned.filter((id) => list.includes(id))).toEqual([notOwned.at(-1)]);
    // A borough's filter lists the city-wide problem covering it, and not another borough's.
    const brooklyn = await listed('Brooklyn, NY');
    expect(brooklyn).toContain(owned[0]);
    expect(brooklyn).toContain(owned[3]);
    expect(brooklyn).not.toContain(owned[1]);
  });

  it('"Queens, NY" is a place: a problem\'s area, an owner rule\'s, the list\'s filter; so is "The Bronx"', async () => {
    const res = await patchProblemSettings(t, {
      ownerRules: [
        { team: 'Field services', area: 'Queens, NY' },
        { team: 'Billing', area: 'The Bronx, NY' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const rules = res.json().ownerRules as { area: string }[];
    expect(rules.map((r) => r.area)).toEqual(['Queens, NY', 'Bronx, NY']);
    const queens = await made({ city: 'Queens', region: 'NY' });
    expect(queens.owner).toBe('Field services');
    const inQueens = [
      await made({ city: 'Flushing', region: 'NY' }),
      await made({ postalCode: '11432' }), // Jamaica
      await made({ postalCode: '11432', city: 'Queens', region: 'NY' }),
      await made({ city: 'Long Island City', region: 'NY' }),
    ];
    for (const p of inQueens) expect(p.owner).toBe('Field services');
    const bronx = await made({ city: 'the Bronx' });
    expect(bronx.owner).toBe('Billing');
    const elsewhere = [
      await made({ city: 'Brooklyn', region: 'NY' }),
      await made({ postalCode: '11001' }), // Floral Park, Nassau County
      await made({ city: 'Queens Village', region: 'NY' }), // in Queens: a part, by name
    ];
    expect(elsewhere.map((p) => p.owner)).toEqual([null, null, 'Field services']);
    const nyc = await made({ city: 'New York', region: 'NY' });
    const list = await listed('Queens, NY');
    for (const p of [queens, ...inQueens, elsewhere[2], nyc]) expect(list).toContain(p.id);
    expect(list).not.toContain(elsewhere[0].id);
    expect(list).not.toContain(elsewhere[1].id);
    expect(list).not.toContain(bronx.id);
    // Queens is New York City's; Manhattan is the ZIP data's "New York".
    expect(await listed('New York, NY')).toContain(queens.id);
    expect(await listed('Manhattan, NY')).toContain(nyc.id);
    const bad = await api('POST', '/api/v1/problems', {
      caseId: (await cases(1))[0].case_id,
      area: { city: 'Queens', region: 'TX' },
    });
    expect(bad.statusCode, bad.body).toBe(400);
  });

  it("a routing rule's city takes its parts too: the cases there, and the problems' owner", async () => {
    const teams = (await api('GET', '/api/v1/teams?limit=200')).json().items as {
      id: string;
      name: string;
    }[];
    const billing = teams.find((x) => x.name === 'Billing');
    expect(billing).toBeDefined();
    const queue = await api('POST', '/api/v1/queues', { name: 'NYC', teamId: billing!.id });
    expect(queue.statusCode, queue.body).toBe(201);
    const rule = await api('POST', '/api/v1/routing-rules', {
      name: 'nyc',
      queueId: queue.json().id,
      conditions: { area: { city: ['New York'] } },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    // The detector's problems are owned by the team of the queue their complaints would go to.
    const settings = await loadProblemSettings(db(), ws());
    const owner = async (area: Partial<ProblemArea>) =>
      (
        await resolveOwner(db(), ws(), settings, {
          topic: 'outage',
          area: { postalCode: null, city: null, region: 'NY', country: 'US', ...area },
          areaKey: null,
          teamId: null,
        })
      ).name;
    expect(await owner({ city: 'Brooklyn' })).toBe('Billing');
    expect(await owner({ postalCode: '11432', city: 'Jamaica' })).toBe('Billing');
    expect(await owner({ city: 'Valley Stream' })).not.toBe('Billing');
    // A complaint from a Brooklyn ZIP code goes to the New York queue; one from Nassau does not.
    const [brooklyn, nassau] = await ingest([
      aMessage({ text: 'No internet in 11201 since 8am', author: { id: 'bk-1' } }),
      aMessage({ text: 'No internet in 11580 since 8am', author: { id: 'ns-1' } }),
    ]);
    const queueOf = async (caseId: string | null) =>
      (
        await db()
          .selectFrom('cases')
          .select('queue_id')
          .where('id', '=', caseId!)
          .executeTakeFirstOrThrow()
      ).queue_id;
    expect(await queueOf(brooklyn!.case_id)).toBe(queue.json().id);
    expect(await queueOf(nassau!.case_id)).not.toBe(queue.json().id);
  });
});
