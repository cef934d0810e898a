import type { Kysely } from 'kysely';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { InboundMessage } from '../../src/ingest/inbound.schema.js';
import { ingestStream } from '../../src/ingest/ingest-stream.js';
import type { DB } from '../../src/platform/db/schema.js';
import { simulate } from '../../src/simulate/index.js';

/**
 * One node of the desk on a database URL, as the multi-node and pipeline tests start it: workers
 * off (the test drives the pipeline with `feed`), no demo, quiet logs, not listening.
 */
export async function startNode(url: string, clock?: () => number): Promise<App> {
  const base = loadConfig({
    THROUGHLINE_DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    THROUGHLINE_DEMO: 'false',
  });
  const app = await buildApp({
    config: { ...base, pipeline: { ...base.pipeline, workers: false } },
    ...(clock ? { clock } : {}),
  });
  await app.start({ listen: false });
  return app;
}

/** Messages through a node's pipeline (drained when it returns). */
export function feed(app: App, messages: InboundMessage[], clock?: () => number) {
  return ingestStream(messages, {
    database: app.database,
    workspaceId: app.workspace.workspaceId,
    pipeline: app.pipeline,
    ...(clock ? { clock } : {}),
  });
}

/** The inbound messages of a simulator scenario in event-time order. */
export function scenarioMessages(scenario: string, seed: number): InboundMessage[] {
  const out: InboundMessage[] = [];
  for (const e of simulate({ scenario, seed })) if (e.type === 'message') out.push(e.message);
  return out.sort((x, y) => Date.parse(x.sentAt) - Date.parse(y.sentAt));
}

/** Per problem (by title): its customers and live links, to compare two runs. */
export async function problemSummary(db: Kysely<DB>): Promise<string[]> {
  const rows = await db
    .selectFrom('problems')
    .select((eb) => [
      'title',
      'customer_count',
      eb
        .selectFrom('problem_links')
        .select((l) => l.fn.countAll().as('n'))
        .whereRef('problem_links.problem_id', '=', 'problems.id')
        .where('problem_links.unlinked_at', 'is', null)
        .as('links'),
    ])
    .orderBy('title')
    .execute();
  return rows.map((r) => `${r.title}: ${r.customer_count} customers, ${r.links} links`);
}
