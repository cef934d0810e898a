import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { ConnectorError } from '../channels/connector-error.js';
import type { Sender } from '../channels/sender.js';
import { DEFAULT_PROBLEM_SETTINGS } from '../problems/problem.settings.js';
import { ProblemWorker } from '../problems/problem.worker.js';
import { problemsWorld } from '../problems/test-world.js';
import { fixedOnX, notifyOutbox } from './test-world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** A status notice goes out once its hold is over (`noticeHoldMinutes`). */
const HOLD = DEFAULT_PROBLEM_SETTINGS.noticeHoldMinutes * MIN;

/**
 * X blocked for 20 minutes (a 429's reset; the X sender defers without calling, x.sender.ts):
 * past what still lands within 15 minutes of the fix. The customer's e-mail gets the notice at
 * once; a customer with no other route stays queued, its notice saying why and until when, and
 * its case waits (not resolved unseen by the quiet period). Before, the notice said only the
 * refusals, and the case resolved after the quiet period anyway.
 */
describe.each(ENGINES)('a blocked channel and the 15-minute target on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  let k = 0;

  async function fixedFor(email: string | null) {
    const { c, id } = await fixedOnX(w, `x-blocked-${engine}-${++k}`, email);
    const note = () =>
      w
        .db()
        .selectFrom('problem_notifications')
        .select(['status', 'channel', 'error', 'created_at', 'sent_at'])
        .where('case_id', '=', c.case_id!)
        .executeTakeFirstOrThrow();
    return { c, id, note, fixedAt: Number((await w.problem(id)).fixed_at) };
  }
  /** X's block, as the X sender reports it: 20 minutes from the clock, no call made. */
  const blocked =
    (clock: () => number, until: number): Sender =>
    async () => {
      throw new ConnectorError('rate_limited', 'X rate limit: blocked', until - clock(), 429);
    };
  const worker = (senders: Map<string, Sender>, clock: () => number) =>
    notifyOutbox(t, senders, clock);

  it('the e-mail gets the notice at once', async () => {
    const f = await fixedFor(`blocked-${engine}@example.org`);
    const now = Number((await f.note()).created_at) + HOLD;
    const email: Sender = async () => ({ externalId: `e-${engine}-${k}` });
    const clock = () => now;
    await worker(
      new Map([
        ['x', blocked(clock, now + 20 * MIN)],
        ['email', email],
      ]),
      clock,
    ).runOnce(100);
    expect(await f.note()).toMatchObject({ status: 'sent', channel: 'email' });
  });

  it('no other route: queued, saying why and until when, and its case waits', async () => {
    const f = await fixedFor(null);
    const now = Number((await f.note()).created_at) + HOLD;
    const clock = () => now;
    await worker(new Map([['x', blocked(clock, now + 20 * MIN)]]), clock).runOnce(100);
    const note = await f.note();
    expect(note.status).toBe('queued');
    expect(note.error).toContain(
      `no route can deliver now; tried again at ${new Date(now + 20 * MIN).toISOString()}`,
    );
    expect(note.error).toContain('rate_limited');
    await new ProblemWorker({
      database: t.app.database,
      clock: () => f.fixedAt + 25 * HOUR,
    }).runOnce();
    expect((await w.caseRows([f.c.case_id]))[f.c.case_id!]).toBe('pending');
  });
});
