import type { Insertable } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteDatabase } from '../../../test/support/suite.js';
import { insertRows, wellFormed } from './bulk.js';
import type { TimerTable } from './schema.js';

const timer = (i: number, over: Partial<Insertable<TimerTable>> = {}): Insertable<TimerTable> => ({
  id: `t-${String(i).padStart(6, '0')}`,
  workspace_id: 'ws',
  kind: `sla.breach:"quoted" ' ✓ ${i}`,
  ref_id: `case-${i % 7}`,
  due_at: 1_790_000_000_000 + i,
  status: 'pending' as const,
  created_at: i,
  hold_from: null,
  ...over,
});

describe.each(ENGINES)('bulk inserts on %s', (engine) => {
  const suite = suiteDatabase(engine);

  const stored = () =>
    suite.database.db
      .selectFrom('timers')
      .selectAll()
      .orderBy('id')
      .where('workspace_id', '=', 'ws');

  it('stores many rows with their exact values, over several statements', async () => {
    // More rows than one statement takes on either engine.
    const rows = Array.from({ length: 6100 }, (_, i) => timer(i));
    await insertRows(suite.database.db, suite.database.caps, 'timers', rows);
    const back = await stored().execute();
    expect(back).toHaveLength(6100);
    expect(back[0]).toEqual(rows[0]);
    expect(back[6099]).toEqual(rows[6099]);
    expect(back.map((r) => Number(r.due_at))).toEqual(rows.map((r) => r.due_at));
  });

  it('skips conflicting rows and returns only the inserted ones', async () => {
    const out = await insertRows(
      suite.database.db,
      suite.database.caps,
      'timers',
      [timer(1, { status: 'fired' }), timer(900_001)],
      { onConflict: { columns: ['id'] }, returning: ['id', 'status'] },
    );
    expect(out).toEqual([{ id: 't-900001', status: 'pending' }]);
    const one = await stored().where('id', '=', 't-000001').executeTakeFirstOrThrow();
    expect(one.status).toBe('pending');
  });

  it('updates the listed columns on conflict', async () => {
    await insertRows(
      suite.database.db,
      suite.database.caps,
      'timers',
      [timer(2, { status: 'cancelled', kind: 'other', due_at: 5 })],
      { onConflict: { columns: ['id'], update: ['status', 'due_at'] } },
    );
    const two = await stored().where('id', '=', 't-000002').executeTakeFirstOrThrow();
    expect(two.status).toBe('cancelled');
    expect(Number(two.due_at)).toBe(5);
    expect(two.kind).toBe(timer(2).kind);
  });

  it('stores null for a value a later row leaves undefined', async () => {
    await insertRows(suite.database.db, suite.database.caps, 'reputation_alerts', [
      {
        id: 'r1',
        workspace_id: 'ws',
        customer_id: 'c1',
        case_id: 'case-1',
        channel: 'x',
        external_id: 'e1',
        followers: 5,
        excerpt: 'a',
        sent_at: 1,
        acknowledged_at: null,
        acknowledged_by: null,
        created_at: 1,
      },
      {
        id: 'r2',
        workspace_id: 'ws',
        customer_id: 'c2',
        case_id: undefined as unknown as null,
        channel: 'x',
        external_id: 'e2',
        followers: 6,
        excerpt: 'b',
        sent_at: 2,
        acknowledged_at: null,
        acknowledged_by: null,
        created_at: 2,
      },
    ]);
    const rows = await suite.database.db
      .selectFrom('reputation_alerts')
      .select(['id', 'case_id', 'followers'])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.id, r.case_id, Number(r.followers)])).toEqual([
      ['r1', 'case-1', 5],
      ['r2', null, 6],
    ]);
  });

  it('stores a lone surrogate (text cut inside an emoji) as a bound parameter does', async () => {
    const kinds = ['cut \ud83d', 'whole \ud83d\ude00', 'written \\ud83d by hand'];
    await insertRows(
      suite.database.db,
      suite.database.caps,
      'timers',
      kinds.map((kind, i) => timer(800_000 + i, { kind })),
    );
    // The same strings through Kysely, one bound parameter each.
    await suite.database.db
      .insertInto('timers')
      .values(kinds.map((kind, i) => timer(810_000 + i, { kind })))
      .execute();
    const kindsOf = (from: string, to: string) =>
      stored()
        .where('id', '>=', from)
        .where('id', '<', to)
        .execute()
        .then((rows) => rows.map((r) => r.kind));
    const bulk = await kindsOf('t-800000', 't-800003');
    expect(bulk).toEqual(await kindsOf('t-810000', 't-810003'));
    expect(bulk[0]).toMatch(/^cut \ufffd+$/);
    expect(bulk.slice(1)).toEqual(kinds.slice(1));
  });
});

describe('wellFormed', () => {
  it('replaces escaped lone surrogates only', () => {
    expect(wellFormed(JSON.stringify(['a\ud83d', 'b\ude00c']))).toBe('["a\\ufffd","b\\ufffdc"]');
    expect(wellFormed(JSON.stringify(['\\ud83d', '\ud83d\ude00']))).toBe(
      JSON.stringify(['\\ud83d', '\ud83d\ude00']),
    );
    expect(wellFormed(JSON.stringify(['\\\ud83d']))).toBe('["\\\\\\ufffd"]');
  });
});
