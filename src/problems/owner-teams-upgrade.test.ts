import { describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../test/support/engines.js';
import { startNode } from '../../test/support/nodes.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';

/**
 * A desk made before the desk's creation made its owner rules' teams: its rules named no team,
 * so its problems had no owner team. Started again, it gets those teams.
 */
describe('owner teams of a desk made before they were created with it', () => {
  it('are created at start', async () => {
    const db = await freshDatabaseUrl('sqlite');
    const names = DEFAULT_PROBLEM_SETTINGS.ownerRules.map((r) => r.team);
    try {
      const first = await startNode(db.url);
      // As such a desk was: only its first team.
      await first.database.db.deleteFrom('teams').where('name', 'in', names).execute();
      await first.close();
      const again = await startNode(db.url);
      try {
        const teams = await again.database.db.selectFrom('teams').select('name').execute();
        for (const n of names) expect(teams.map((t) => t.name)).toContain(n);
        // Once each, however often it starts.
        await again.close();
        const third = await startNode(db.url);
        const count = await third.database.db.selectFrom('teams').select('name').execute();
        expect(count.length).toBe(teams.length);
        await third.close();
      } catch (err) {
        await again.close().catch(() => {});
        throw err;
      }
    } finally {
      db.cleanup();
    }
  }, 60_000);
});
