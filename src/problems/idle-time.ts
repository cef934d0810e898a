import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { Detector } from './detector/detector.js';
import { liveEventNow } from './event-clock.js';

/** Less than this of quiet is left for the next message or tick to see. */
const IDLE_STEP_MS = 60_000;

/**
 * On a live desk, time passes between messages too: a suspected problem whose complaints
 * stayed away for a day closes, a fix that held for its quiet period is verified, whether or not
 * anyone wrote meanwhile. The detector's time moves only with messages, so a desk that went
 * quiet (a night with no traffic, or a replay of last March that ended, after which the live
 * detector takes the problems it raised back) kept them open until the next complaint. The
 * problem worker's timer calls this: it moves the live detector to the wall clock, and then
 * `tick` decides as it would have at a message. Never on history (a replay in progress, an
 * import): there event time is the messages' own, and a tick would end what they are building.
 * Returns whether the detector moved (so its tick is worth running).
 */
export async function advanceIdle(
  db: Kysely<DB>,
  ws: string,
  det: Detector,
  now: number,
): Promise<boolean> {
  if (det.now <= 0) return false;
  const at = await liveEventNow(db, ws, now);
  if (at === null || at - det.now < IDLE_STEP_MS) return false;
  det.advanceTo(at);
  return true;
}
