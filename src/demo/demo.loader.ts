import type { App } from '../app.js';
import { updateCase } from '../cases/case.service.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { AppError } from '../platform/errors.js';
import { recordEventClock } from '../problems/event-clock.js';
import { simulate } from '../simulate/index.js';
import { markDemo } from '../workspace/workspace.service.js';

/**
 * Fills an empty desk with the simulator's `demo` scenario through the real pipeline, then does
 * a little agent work (resolving older answered cases) so every status shows up.
 */
export async function loadDemo(app: App): Promise<{ cases: number; messages: number }> {
  const { db } = app.database;
  await markDemo(db, app.workspace.workspaceId);
  // Every node's demo delivery reads the stored flag (demo.sender.ts).
  app.workspace.isDemo = true;
  // The two days up to the start of today (UTC), so the demo looks current (the scenario itself
  // is dated); its day 2 outage then happened yesterday.
  const start = new Date();
  start.setUTCHours(0, 0, 0, 0);
  start.setUTCDate(start.getUTCDate() - 2);
  function* messages() {
    for (const e of simulate({ scenario: 'demo', seed: 42, start: start.toISOString() })) {
      if (e.type === 'message') yield e.message;
    }
  }
  const { accepted } = await ingestStream(messages(), {
    database: app.database,
    workspaceId: app.workspace.workspaceId,
    pipeline: app.pipeline,
  });
  // The demo is the recent past of a desk that is live from now on, not a replay of history:
  // its event time runs with the wall clock (event-clock.ts), so what a newcomer does to its
  // problems (a fix) happens now, not at its last message of last night.
  const loadedAt = Date.now();
  await recordEventClock(db, app.workspace.workspaceId, loadedAt, loadedAt);
  // Answered cases whose last word was ours more than a day before the end: resolved.
  const latest = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.max('last_message_at').as('m'))
    .executeTakeFirst();
  const cutoff = Number(latest?.m ?? 0) - 24 * 3_600_000;
  const answered = await db
    .selectFrom('cases')
    .select('id')
    .where('workspace_id', '=', app.workspace.workspaceId)
    .where('status', '=', 'open')
    .where('first_response_at', 'is not', null)
    .where('last_message_at', '<', cutoff)
    .execute();
  // Through the case service, so the demo's history shows who resolved what.
  const actor = {
    type: 'token' as const,
    id: 'demo-loader',
    name: 'Demo loader',
    role: 'admin' as const,
    workspaceId: app.workspace.workspaceId,
  };
  const links = { publicUrl: app.config.publicUrl };
  for (const c of answered) {
    try {
      // A deadlock with the scheduler (firing the demo's due deadlines on every node) is rerun
      // inside; what another node or an agent did to the case first is left as it is.
      await updateCase(db, actor, c.id, { status: 'resolved' }, cutoff, links);
    } catch (err) {
      if (
        !(err instanceof AppError && (err.code === 'conflict' || err.code === 'invalid_transition'))
      )
        throw err;
    }
  }
  const count = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', app.workspace.workspaceId)
    .executeTakeFirst();
  return { cases: Number(count?.n ?? 0), messages: accepted };
}
