import { describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../test/support/engines.js';
import { feed, scenarioMessages, startNode } from '../../test/support/nodes.js';

/**
 * The demo's ZIP outage fed 50 messages at a time; with `resetOnce` the detector is rebuilt from
 * storage (a restart, a rolled-back batch, another node taking over) right after the problem is
 * raised. Returns the problem's area_refined events (event time and the ZIP it shows).
 */
async function refinedAreas(resetOnce: boolean) {
  // Seed 1: the draw of the demo's traffic (since it runs at 130 conversations a day) whose
  // outage problem is raised for the city and then shows the ZIP its complainers name.
  const messages = scenarioMessages('demo', 1);
  const now = Date.parse(messages[messages.length - 1].sentAt);
  const db = await freshDatabaseUrl('sqlite');
  const app = await startNode(db.url, () => now);
  try {
    let reset = !resetOnce;
    for (let i = 0; i < messages.length; i += 50) {
      if (!reset && (await app.database.db.selectFrom('problems').select('id').execute()).length) {
        app.problems.runtime.reset();
        reset = true;
      }
      await feed(app, messages.slice(i, i + 50), () => now);
    }
    const events = await app.database.db
      .selectFrom('problem_events')
      .select(['event_at', 'data_json'])
      .where('type', '=', 'area_refined')
      .orderBy('event_at')
      .execute();
    return events.map((e) => ({
      at: Number(e.event_at),
      zip: JSON.parse(e.data_json!).area.postalCode as string | null,
    }));
  } finally {
    await app.close();
    db.cleanup();
  }
}

describe('the place a problem shows, across a detector rebuilt from storage', () => {
  it('is found when the live detector finds it, as if nothing had been rebuilt', async () => {
    const live = await refinedAreas(false);
    expect(live.map((e) => e.zip)).toEqual(['94110']);
    expect(await refinedAreas(true)).toEqual(live);
  }, 120_000);
});
