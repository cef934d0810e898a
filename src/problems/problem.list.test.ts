import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, migratedDatabase } from '../../test/support/engines.js';
import type { Database } from '../platform/db/database.js';
import { AppError } from '../platform/errors.js';
import { listProblems } from './problem.list.js';
import { insertProblem, type ProblemArea, type ProblemStatus } from './problem.store.js';
import { aProblem } from './test-world.js';

const AT = Date.UTC(2026, 0, 5);
const AUSTIN: ProblemArea = { postalCode: '78701', city: 'Austin', region: 'TX', country: 'US' };
const DENVER: ProblemArea = { postalCode: null, city: 'Denver', region: 'CO', country: 'US' };

/**
 * 1,301 problems, newest first: one Austin outage among the oldest, then 1,200 Denver ones,
 * then a hundred more Austin ones. The area filter reads the JSON column, so it must keep
 * reading past the Denver run instead of stopping at the first rows it fetched.
 */
describe.each(ENGINES)('problem list on %s', (engine) => {
  let fresh: { database: Database; cleanup(): Promise<void> };
  const ids = {
    austin: [] as string[],
    denver: [] as string[],
    around: {} as Record<'zip' | 'city' | 'state' | 'country' | 'la', string>,
    abroad: {} as Record<'toronto' | 'berlin' | 'smallville', string>,
  };

  beforeAll(async () => {
    fresh = await migratedDatabase(engine);
    const { database } = fresh;
    const db = database.db;
    await db
      .insertInto('workspaces')
      .values({ id: 'w1', name: 'W', is_demo: 0, created_at: AT } as never)
      .execute();
    await db
      .insertInto('workspaces')
      .values({ id: 'w2', name: 'W2', is_demo: 0, created_at: AT } as never)
      .execute();
    const add = async (
      n: number,
      area: ProblemArea,
      status: ProblemStatus,
      into: string[],
      workspace = 'w1',
    ) => {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < n; i++) {
          const row = await insertProblem(
            trx,
            workspace,
            aProblem(AT, {
              status,
              title: `${area.city} outage`,
              area,
              owner: 'Network operations',
            }),
            AT,
          );
          into.push(row.id);
        }
      });
    };
    await add(1, AUSTIN, 'fixed', ids.austin);
    await add(1200, DENVER, 'suspected', ids.denver);
    await add(100, AUSTIN, 'suspected', ids.austin);
    // w2: one problem at each level around San Francisco's 94110, and one in Los Angeles.
    const around: [keyof typeof ids.around, ProblemArea][] = [
      ['zip', { postalCode: '94110', city: 'San Francisco', region: 'CA', country: 'US' }],
      ['city', { postalCode: null, city: 'San Francisco', region: 'CA', country: 'US' }],
      ['state', { postalCode: null, city: null, region: 'CA', country: 'US' }],
      ['country', { postalCode: null, city: null, region: null, country: 'US' }],
      ['la', { postalCode: null, city: 'Los Angeles', region: 'CA', country: 'US' }],
    ];
    for (const [name, area] of around) {
      const into: string[] = [];
      await add(1, area, 'suspected', into, 'w2');
      ids.around[name] = into[0];
    }
    // w3: problems abroad whose country's code is also a state's (CA Canada and California, DE
    // Germany and Delaware).
    await db
      .insertInto('workspaces')
      .values({ id: 'w3', name: 'W3', is_demo: 0, created_at: AT } as never)
      .execute();
    for (const [name, area] of [
      ['toronto', { postalCode: null, city: 'Toronto', region: null, country: 'CA' }],
      ['berlin', { postalCode: null, city: 'Berlin', region: null, country: 'DE' }],
      // A place no gazetteer knows, named by hand.
      ['smallville', { postalCode: null, city: 'Smallville', region: null, country: 'IE' }],
    ] as const) {
      const into: string[] = [];
      await add(1, area, 'suspected', into, 'w3');
      ids.abroad[name] = into[0];
    }
  }, 120_000);
  afterAll(async () => {
    await fresh?.cleanup();
  });

  const list = (f: Parameters<typeof listProblems>[2]) => listProblems(fresh.database.db, 'w1', f);

  it('pages an area filter through every matching problem, however far back', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await list({ area: 'austin', limit: 40, cursor });
      seen.push(...page.rows.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(101);
    expect(new Set(seen)).toEqual(new Set(ids.austin));
    // Newest first: the oldest Austin problem comes last, after the Denver run.
    expect(seen[100]).toBe(ids.austin[0]);
  });

  it('matches the area at any level, the country included', async () => {
    expect((await list({ area: 'TX', limit: 200 })).rows).toHaveLength(101);
    expect((await list({ area: '78701', limit: 200 })).rows).toHaveLength(101);
    const us = await list({ area: 'us', limit: 200 });
    expect(us.rows).toHaveLength(200);
    expect(us.nextCursor).not.toBeNull();
    expect((await list({ area: 'Boulder', limit: 10 })).rows).toHaveLength(0);
  });

  it('refuses a place nobody knows (a typo), and still finds a place named by hand', async () => {
    await expect(list({ area: 'Narnia', limit: 10 })).rejects.toThrow(/no known place "Narnia"/);
    await expect(list({ area: 'Austn', limit: 10 })).rejects.toThrow(/no known place/);
    // Known places with no problem there, and later pages, stay empty answers.
    expect((await list({ area: 'Boulder', limit: 10 })).rows).toHaveLength(0);
    expect((await list({ area: 'Oregon', limit: 10 })).rows).toHaveLength(0);
  });

  it('reads the filter as a place: a state by name, a city with its state, the country by name', async () => {
    expect((await list({ area: 'Texas', limit: 200 })).rows).toHaveLength(101);
    expect((await list({ area: 'Austin, TX', limit: 200 })).rows).toHaveLength(101);
    expect((await list({ area: 'Denver, CO', limit: 10 })).rows).toHaveLength(10);
    expect((await list({ area: 'Austin, MN', limit: 10 })).rows).toHaveLength(0);
    expect((await list({ area: 'Colorado', limit: 10 })).rows).toHaveLength(10);
    expect((await list({ area: 'United States', limit: 10 })).rows).toHaveLength(10);
  });

  it('finds the problems that cover the place asked about, not only those inside it', async () => {
    const names = async (area: string) => {
      const { rows } = await listProblems(fresh.database.db, 'w2', { area, limit: 10 });
      const name = new Map(Object.entries(ids.around).map(([k, v]) => [v, k] as const));
      return rows.map((r) => name.get(r.id)).sort();
    };
    // A customer in 94110 suffers from the San Francisco, California and country-wide troubles.
    expect(await names('94110')).toEqual(['city', 'country', 'state', 'zip']);
    expect(await names('San Francisco, CA')).toEqual(['city', 'country', 'state', 'zip']);
    expect(await names('Los Angeles, CA')).toEqual(['country', 'la', 'state']);
    expect(await names('Texas')).toEqual(['country']);
    expect(await names('California')).toEqual(['city', 'country', 'la', 'state', 'zip']);
    expect(await names('Austin, MN')).toEqual(['country']);
  });

  it('refuses a place in parts that is two places, as POST /api/v1/problems does', async () => {
    const w2 = (area: string) => listProblems(fresh.database.db, 'w2', { area, limit: 10 });
    for (const [area, why] of [
      ['Austin, CA', /area\.city: no US city "Austin" in CA/],
      ['94110, TX', /area\.region: ZIP code 94110 is in CA, not TX/],
      ['94110, Los Angeles, CA', /area\.city: ZIP code 94110 is in San Francisco/],
      ['Austin, Denver', /names two places/],
    ] as const) {
      const err = await w2(area).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, area).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('bad_request');
      expect((err as AppError).message).toMatch(why);
    }
    // Places in parts that are one place still list what covers them.
    const names = async (area: string) => {
      const { rows } = await w2(area);
      const name = new Map(Object.entries(ids.around).map(([k, v]) => [v, k] as const));
      return rows.map((r) => name.get(r.id)).sort();
    };
    expect(await names('94110, CA')).toEqual(['city', 'country', 'state', 'zip']);
    expect(await names('San Francisco, California, USA')).toEqual([
      'city',
      'country',
      'state',
      'zip',
    ]);
    expect(await names('New York, NY')).toEqual(['country']);
    expect(await names('Toronto, ON')).toEqual([]);
    expect(await names('London, UK')).toEqual([]);
  });

  it('reads two letters as a state, and lists a problem abroad under its country, not that state', async () => {
    const names = async (area: string) => {
      const { rows } = await listProblems(fresh.database.db, 'w3', { area, limit: 10 });
      const name = new Map(Object.entries(ids.abroad).map(([k, v]) => [v, k] as const));
      return rows.map((r) => name.get(r.id)).sort();
    };
    // "CA" is California and "DE" Delaware (README): Toronto and Berlin are in neither.
    expect(await names('CA')).toEqual([]);
    expect(await names('DE')).toEqual([]);
    expect(await names('Canada')).toEqual(['toronto']);
    // Triage reads Toronto with no province; Ontario still holds it.
    expect(await names('ON')).toEqual(['toronto']);
    expect(await names('Ontario')).toEqual(['toronto']);
    expect(await names('BC')).toEqual([]);
    expect(await names('Toronto, Ontario, Canada')).toEqual(['toronto']);
    // Named only by a problem: found by its name; with a status no problem of it has, an empty
    // page, not "no problem names it".
    expect(await names('Smallville')).toEqual(['smallville']);
    const fixed = await listProblems(fresh.database.db, 'w3', {
      area: 'Smallville',
      status: 'fixed',
      limit: 10,
    });
    expect(fixed.rows).toEqual([]);
    expect(await names('Germany')).toEqual(['berlin']);
    expect(await names('Toronto')).toEqual(['toronto']);
    expect(await names('Berlin, DE')).toEqual(['berlin']);
    // A place in parts that is two places (a US state in Canada) is refused, as POST refuses it.
    await expect(
      listProblems(fresh.database.db, 'w3', { area: 'Austin, TX, Canada', limit: 10 }),
    ).rejects.toThrow(/area\.region: TX is a US state, not in CA/);
  });

  it('refuses a postal code nobody knows that no problem names', async () => {
    for (const area of ['99999', '00000', '941'])
      await expect(list({ area, limit: 10 }), area).rejects.toThrow(
        /is no place or postal code we know and no problem names it/,
      );
  });

  it('matches the owner whatever its case', async () => {
    expect((await list({ owner: 'network OPERATIONS', limit: 10 })).rows).toHaveLength(10);
    // A blank owner is no filter, as an empty one is.
    expect((await list({ owner: '  ', limit: 10 })).rows).toHaveLength(10);
  });

  it('combines the area with the other filters', async () => {
    const fixed = await list({ area: 'Austin', status: 'fixed, verified', limit: 10 });
    expect(fixed.rows.map((r) => r.id)).toEqual([ids.austin[0]]);
    expect(fixed.nextCursor).toBeNull();
  });

  it('pages without an area filter by id', async () => {
    const first = await list({ status: 'suspected', limit: 200 });
    expect(first.rows).toHaveLength(200);
    const second = await list({ status: 'suspected', limit: 200, cursor: first.nextCursor! });
    expect(second.rows[0].id < first.rows[199].id).toBe(true);
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(400);
  });

  it('refuses filter values it does not know instead of answering with nothing', async () => {
    const refused = async (f: Parameters<typeof list>[0]) => {
      const err = await list(f).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      return (err as AppError).message;
    };
    expect(await refused({ status: 'open', limit: 10 })).toMatch(/unknown status open/);
    expect(await refused({ cursor: 'garbage', limit: 10 })).toBe('cursor is not valid');
  });
});
