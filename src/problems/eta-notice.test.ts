import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import {
  DEFAULT_PROBLEM_SETTINGS,
  loadProblemSettings,
  saveProblemSettings,
} from './problem.settings.js';
import { problemsWorld } from './test-world.js';

const HOUR = 3_600_000;

/**
 * What linked customers hear of a problem's ETA: a new or later one on its own, never a time
 * gone by as a promise; and the status wording of desks that saved their settings before.
 */
describe.each(ENGINES)('ETA notices on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, ws, api, cases, autoProblem } = problemsWorld(() => t);
  const post = (id: string, body: Record<string, unknown>) =>
    api('POST', `/api/v1/problems/${id}/status`, body);
  const texts = async (id: string) =>
    (
      await db()
        .selectFrom('problem_notifications')
        .select('text')
        .where('problem_id', '=', id)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    ).map((n) => n.text);

  it('customers hear an ETA first set or moved later, not a nudge, a move earlier or a clearing', async () => {
    const id = await autoProblem(await cases(2));
    expect((await post(id, { status: 'fixing', silent: true })).statusCode).toBe(200);
    const eta = Math.ceil((Date.now() + 48 * HOUR) / HOUR) * HOUR;
    const told = async (etaAt: number | null, extra: Record<string, unknown> = {}) => {
      const res = await post(id, {
        etaAt: etaAt === null ? null : new Date(etaAt).toISOString(),
        ...extra,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().notified as number;
    };
    expect(await told(eta)).toBe(2);
    expect((await texts(id))[0]).toMatch(
      /^Update on the network problem in Austin, TX: Our team is working on a fix\. We expect it fixed by \w{3} \d+ \w{3}, \d\d:00 UTC\.$/,
    );
    expect(await told(eta + 10 * 60_000)).toBe(0);
    expect(await told(eta + 3 * HOUR)).toBe(2);
    expect(await told(eta + HOUR)).toBe(0);
    expect(await told(null)).toBe(0);
    expect(await told(eta, { silent: true })).toBe(0);
    expect(await texts(id)).toHaveLength(4);
  });

  it('an ETA moved later in small steps is told once it is far from the one customers heard', async () => {
    const id = await autoProblem(await cases(1));
    expect((await post(id, { status: 'fixing', silent: true })).statusCode).toBe(200);
    const eta = Math.ceil((Date.now() + 24 * HOUR) / HOUR) * HOUR;
    const move = async (etaAt: number) => {
      const res = await post(id, { etaAt: new Date(etaAt).toISOString() });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().notified as number;
    };
    expect(await move(eta)).toBe(1);
    expect(await move(eta + 20 * 60_000)).toBe(0);
    // 40 minutes after the time they heard, though only 20 after the stored one.
    expect(await move(eta + 40 * 60_000)).toBe(1);
    // A time already gone is no news to give.
    const res = await post(id, { etaAt: new Date(Date.now() - 60_000).toISOString() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().notified).toBe(0);
  });

  it('an ETA that has passed is not repeated to customers as a promise', async () => {
    const id = await autoProblem(await cases(1));
    const yesterday = Date.now() - 20 * HOUR;
    await db().updateTable('problems').set({ eta_at: yesterday }).where('id', '=', id).execute();
    const res = await post(id, { status: 'confirmed', body: 'Crews are on site' });
    expect(res.statusCode, res.body).toBe(200);
    const [text] = await texts(id);
    expect(text).toBe(
      'Update on the network problem in Austin, TX: We have confirmed it and our team is on it. Crews are on site. It is taking longer than we expected; we will keep you posted.',
    );
  });

  it("a desk that saved its settings with an earlier release's templates gets the new wording", async () => {
    const old =
      'Thanks for telling us. We know about this ({title}) and our team is on it — status: {status}.{eta}';
    await saveProblemSettings(
      db(),
      ws(),
      { acknowledgementTemplate: old, updateTemplate: 'Update on {title} — {status}. {body}{eta}' },
      Date.now(),
    );
    const s = await loadProblemSettings(db(), ws());
    expect(s.acknowledgementTemplate).toBe(DEFAULT_PROBLEM_SETTINGS.acknowledgementTemplate);
    expect(s.acknowledgementTemplate).not.toContain('status: {status}');
    // A template of their own stays theirs.
    expect(s.updateTemplate).toBe('Update on {title} — {status}. {body}{eta}');
  });
});
