import { randomBytes } from 'node:crypto';
import type { App } from '../app.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { hashPassword } from '../platform/auth/passwords.js';
import { recordEventClock } from '../problems/event-clock.js';
import { simulate } from '../simulate/index.js';
import { markDemo } from '../workspace/workspace.service.js';
import { makeDemoPromises } from './demo.promises.js';
import { staffDemo } from './demo.staff.js';
import { workTheDesk } from './demo.work.js';

const DAY = 86_400_000;

/**
 * Fills an empty desk with the simulator's `demo` scenario through the real pipeline, then the
 * agent work a live desk would show: a staffed queue (demo.staff.ts), answered cases resolved and
 * open ones assigned by routing (demo.work.ts), and promises made, kept and due (demo.promises.ts).
 */
export async function loadDemo(
  app: App,
  now = Date.now(),
): Promise<{ cases: number; messages: number }> {
  const { db } = app.database;
  await markDemo(db, app.workspace.workspaceId);
  // Every node's demo delivery reads the stored flag (demo.sender.ts).
  app.workspace.isDemo = true;
  // The two days before today (UTC) and today up to now, so the demo is current: its outage
  // ended in the last hours (scenarios.ts, `recentHours`), and SLA clocks run on traffic that
  // ends now (a window that ended at midnight left every open case a day old, and breached).
  const start = new Date(now);
  start.setUTCHours(0, 0, 0, 0);
  start.setUTCDate(start.getUTCDate() - 2);
  const days = (now - start.getTime()) / DAY;
  // The demo agents' one password hash (demo.staff.ts): its scrypt runs beside the ingest.
  const passwordHash = hashPassword(randomBytes(18).toString('base64url'));
  function* messages() {
    for (const e of simulate({ scenario: 'demo', seed: 42, start: start.toISOString(), days })) {
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
  // problems (a fix) happens now, not at its last message.
  const loadedAt = Date.now();
  await recordEventClock(db, app.workspace.workspaceId, loadedAt, loadedAt);
  const staff = await staffDemo(app, passwordHash);
  await workTheDesk(app, staff, now);
  await makeDemoPromises(app, staff, now);
  const count = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', app.workspace.workspaceId)
    .executeTakeFirst();
  return { cases: Number(count?.n ?? 0), messages: accepted };
}
