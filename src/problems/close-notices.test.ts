import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { CANCELLED_CLOSED } from '../notify/notify.cancel.js';
import { problemsWorld } from './test-world.js';

const HOUR = 3_600_000;

/**
 * What closing and reopening a problem does to what its customers will hear: news still waiting
 * to go out is not sent after the closing (a fix notice is), a problem with nothing left to fix
 * takes no ETA, and a reopening quotes no ETA from before; words reach them without characters
 * that reorder what they read.
 */
describe.each(ENGINES)('closing and notices on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });
  const { db, api, cases, autoProblem } = problemsWorld(() => t);
  const post = (id: string, body: Record<string, unknown>) =>
    api('POST', `/api/v1/problems/${id}/status`, body);
  /** The texts of the problem's notices, oldest first. */
  const noticeTexts = async (id: string) =>
    (
      await db()
        .selectFrom('problem_notifications')
        .select('text')
        .where('problem_id', '=', id)
        .orderBy('id')
        .execute()
    ).map((n) => n.text);
  const notices = (id: string) =>
    db()
      .selectFrom('problem_notifications')
      .innerJoin('problem_updates', 'problem_updates.id', 'problem_notifications.update_id')
      .select([
        'problem_updates.status as at',
        'problem_notifications.status',
        'problem_notifications.error',
      ])
      .where('problem_notifications.problem_id', '=', id)
      .orderBy('problem_notifications.id')
      .execute();

  it('cancels news still in its hold when a person closes the problem', async () => {
    const id = await autoProblem(await cases(2));
    const update = await post(id, { body: 'We are looking at it' });
    expect(update.statusCode, update.body).toBe(200);
    expect(update.json().notified).toBe(2);
    // In their hold (2 minutes by default): queued, not sent.
    expect((await notices(id)).map((n) => n.status)).toEqual(['queued', 'queued']);
    expect((await post(id, { status: 'closed' })).statusCode).toBe(200);
    expect(await notices(id)).toEqual([
      { at: 'suspected', status: 'cancelled', error: CANCELLED_CLOSED },
      { at: 'suspected', status: 'cancelled', error: CANCELLED_CLOSED },
    ]);
  });

  it('still sends the fix notice of a problem closed right after its fix', async () => {
    const id = await autoProblem(await cases(1));
    expect((await post(id, { body: 'Engineers are on site' })).statusCode).toBe(200);
    expect((await post(id, { status: 'fixed' })).statusCode).toBe(200);
    expect((await post(id, { status: 'closed' })).statusCode).toBe(200);
    const after = await notices(id);
    expect(after.map((n) => [n.at, n.status])).toEqual([
      ['suspected', 'cancelled'],
      ['fixed', 'queued'],
    ]);
  });

  it('refuses an ETA on a fixed or closed problem, and a reopening quotes none from before', async () => {
    const id = await autoProblem(await cases(1));
    const eta = new Date(Math.ceil((Date.now() + 24 * HOUR) / HOUR) * HOUR).toISOString();
    expect((await post(id, { status: 'fixing', etaAt: eta, silent: true })).statusCode).toBe(200);
    expect((await post(id, { status: 'closed' })).statusCode).toBe(200);
    const closed = await api('GET', `/api/v1/problems/${id}`);
    expect(closed.json().etaAt).toBeNull();
    const late = await post(id, { etaAt: eta });
    expect(late.statusCode, late.body).toBe(409);
    expect(late.json().error.message).toMatch(/closed problem awaits no fix/);
    // Reopened, it says where things stand without an old promise.
    const back = await post(id, { status: 'fixing' });
    expect(back.statusCode, back.body).toBe(200);
    expect((await noticeTexts(id)).at(-1)).not.toMatch(/We expect it fixed by/);
    // A fixed problem takes none either; with its reopening it does.
    expect((await post(id, { status: 'fixed' })).statusCode).toBe(200);
    expect((await post(id, { etaAt: eta })).statusCode).toBe(409);
    expect((await post(id, { status: 'fixing', etaAt: eta })).statusCode).toBe(200);
  });

  it('lets a fixed or verified problem go back to confirmed, as a closed one may', async () => {
    const id = await autoProblem(await cases(1));
    expect((await post(id, { status: 'fixed', silent: true })).statusCode).toBe(200);
    const back = await post(id, { status: 'confirmed', silent: true });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().problem.status).toBe('confirmed');
  });

  it('sends the words of an update and a title without bidi or control characters', async () => {
    const id = await autoProblem(await cases(1));
    const res = await post(id, { body: 'Crews \u202eevil\u202c on site\u0007\nmore soon' });
    expect(res.statusCode, res.body).toBe(200);
    const [text] = await noticeTexts(id);
    expect(text).toContain('Crews evil on site more soon');
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(text.includes('\u0007')).toBe(false);
    expect((await post(id, { body: '\u202e\u202c' })).statusCode).toBe(400);
    const [c] = await cases(1);
    const made = await api('POST', '/api/v1/problems', {
      caseId: c.case_id,
      title: 'Double billing \u202eevil',
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().title).toBe('Double billing evil');
  });
});
