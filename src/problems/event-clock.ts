import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';

/**
 * The detector's time, for what people do to problems. Detection runs on the messages' own
 * times (event time), so a replay of a past day does what the live desk would have done. A
 * person's action has no event time of its own: marking a problem fixed while a replay of last
 * March is under way happens, for the detector, at the replay's latest message, not today.
 *
 * The detecting node records, per workspace, the latest event time it has seen and when that
 * message reached the desk (`recordEventClock`, when it moves). `eventNow` reads it back: when
 * the message arrived within `LIVE_LAG_MS` of its own time the desk is live, and event time is
 * the wall clock (it runs on between messages; a backlog processed late is live all the same);
 * otherwise the stream is history (a replay, an import) and event time stands where it stopped.
 *
 * Event time never runs back: history replayed into a workspace that has seen later traffic is
 * detected by a detector of its own time (`history-lane.ts`), which writes this clock only once
 * it caught up with the live time, and a fix made meanwhile is stamped now.
 */
export const LIVE_LAG_MS = 15 * 60_000;

/** Moves the workspace's event clock forward (never back: late or replayed messages do not). */
export async function recordEventClock(
  trx: Kysely<DB>,
  ws: string,
  eventAt: number,
  wallAt: number,
): Promise<void> {
  await trx
    .insertInto('detector_clock')
    .values({ workspace_id: ws, event_at: eventAt, wall_at: wallAt })
    .onConflict((oc) =>
      oc
        .column('workspace_id')
        .doUpdateSet({ event_at: eventAt, wall_at: wallAt })
        .where('detector_clock.event_at', '<', eventAt),
    )
    .execute();
}

const readClock = (db: Kysely<DB>, ws: string) =>
  db
    .selectFrom('detector_clock')
    .select(['event_at', 'wall_at'])
    .where('workspace_id', '=', ws)
    .executeTakeFirst();

/** What time it is for the detector (see above); the wall clock before it has seen anything. */
export async function eventNow(db: Kysely<DB>, ws: string, now: number): Promise<number> {
  const c = await readClock(db, ws);
  if (!c) return now;
  const eventAt = Number(c.event_at);
  const live = Number(c.wall_at) - eventAt <= LIVE_LAG_MS;
  return live ? Math.max(now, eventAt) : eventAt;
}

/** The latest event time the detector has seen, if any (where a rebuilt detector starts from). */
export async function eventClockAt(db: Kysely<DB>, ws: string): Promise<number | null> {
  const c = await readClock(db, ws);
  return c ? Number(c.event_at) : null;
}

/**
 * The wall clock, when the desk is live (its newest message arrived within `LIVE_LAG_MS` of its
 * own time); null when it has seen nothing yet or its stream is history (a replay, an import):
 * then event time stands where the messages left it.
 */
export async function liveEventNow(
  db: Kysely<DB>,
  ws: string,
  now: number,
): Promise<number | null> {
  const c = await readClock(db, ws);
  if (!c || Number(c.wall_at) - Number(c.event_at) > LIVE_LAG_MS) return null;
  return Math.max(now, Number(c.event_at));
}
