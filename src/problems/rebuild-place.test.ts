import { describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../test/support/engines.js';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { simulate } from '../simulate/index.js';

/**
 * The demo's ZIP outage fed 50 messages at a time; with `resetOnce` the detector is rebuilt from
 * storage (a restart, a rolled-back batch, another node taking over) right after the problem is
 * raised. Returns the problem's area_refined events (event time and the ZIP it shows).
 */
async function refinedAreas(resetOnce: boolean) {
  const messages: InboundMessage[] = [];
  for (const e of simulate({ scenario: 'demo', seed: 3 }))
    if (e.type === 'message') messages.push(e.message);
  messages.sort((x, y) => Date.parse(x.sentAt) - Date.parse(y.sentAt));
  const now = Date.parse(messages[messages.length - 1].sentAt);
  const db = await freshDatabaseUrl('sqlite');
  const base = loadConfig({
    THROUGHLINE_DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    THROUGHLINE_DEMO: 'false',
  });
  const app = await buildApp({
    config: { ...base, pipeline: { ...base.pipeline, workers: false } },
    clock: () => now,
  });
  try {
    await app.start({ listen: false });
    let reset = !resetOnce;
    for (let i = 0; i < messages.length; i += 50) {
      if (!reset && (await app.database.db.selectFrom('problems').select('id').execute()).length) {
        app.problems.runtime.reset();
        reset = true;
      }
      await ingestStream(messages.slice(i, i + 50), {
        database: app.database,
        workspaceId: app.workspace.workspaceId,
        pipeline: app.pipeline,
        clock: () => now,
      });
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
