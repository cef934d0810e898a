import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedDatabase } from '../../test/support/engines.js';
import type { Database } from '../platform/db/database.js';
import { resolveOwner } from './owner.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';

describe('problem owner from routing rules', () => {
  let database: Database;
  let cleanup: () => Promise<void>;
  const ws = 'w1';
  beforeAll(async () => {
    const f = await migratedDatabase('sqlite');
    database = f.database;
    cleanup = f.cleanup;
    const db = database.db;
    await db
      .insertInto('teams')
      .values([
        { id: 't-noc', workspace_id: ws, name: 'NOC West', created_at: 0 },
        { id: 't-bill', workspace_id: ws, name: 'Billing desk', created_at: 0 },
      ])
      .execute();
    await db
      .insertInto('queues')
      .values([
        {
          id: 'q-noc',
          workspace_id: ws,
          name: 'West outages',
          team_id: 't-noc',
          is_default: 0,
          created_at: 0,
        },
        {
          id: 'q-bill',
          workspace_id: ws,
          name: 'Billing',
          team_id: 't-bill',
          is_default: 0,
          created_at: 0,
        },
        {
          id: 'q-x',
          workspace_id: ws,
          name: 'Social',
          team_id: null,
          is_default: 1,
          created_at: 0,
        },
      ])
      .execute();
    const rule = (id: string, position: number, conditions: object, queue_id: string) => ({
      id,
      workspace_id: ws,
      name: id,
      position,
      conditions_json: JSON.stringify(conditions),
      queue_id,
      enabled: 1,
      created_at: 0,
    });
    await db
      .insertInto('routing_rules')
      .values([
        rule('social', 0, { channel: ['x'] }, 'q-x'),
        rule('west', 1, { topic: ['outage', 'network'], area: { region: ['CA', 'WA'] } }, 'q-noc'),
        rule('bill', 2, { topic: ['billing'] }, 'q-bill'),
      ])
      .execute();
  });
  afterAll(async () => cleanup?.());

  const area = (region: string) => ({ postalCode: null, city: null, region, country: 'US' });

  it('takes the team of the queue the routing rules choose for its topic and area', async () => {
    const o = await resolveOwner(database.db, ws, DEFAULT_PROBLEM_SETTINGS, {
      topic: 'outage',
      area: area('CA'),
      areaKey: 'r:US:CA',
      teamId: null,
    });
    expect(o).toEqual({ teamId: 't-noc', name: 'NOC West' });
  });

  it('falls back to the settings’ owner rules when no rule with a team matches', async () => {
    const o = await resolveOwner(database.db, ws, DEFAULT_PROBLEM_SETTINGS, {
      topic: 'outage',
      area: area('TX'),
      areaKey: 'r:US:TX',
      teamId: null,
    });
    expect(o).toEqual({ teamId: null, name: 'Network operations' });
  });

  it('a process problem is owned by the team whose promises broke', async () => {
    const o = await resolveOwner(database.db, ws, DEFAULT_PROBLEM_SETTINGS, {
      topic: null,
      area: null,
      areaKey: null,
      teamId: 't-bill',
    });
    expect(o).toEqual({ teamId: 't-bill', name: 'Billing desk' });
  });
});
