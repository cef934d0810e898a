import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { ProblemWorker } from './problem.worker.js';
import { addWebhookTarget, problemsWorld } from './test-world.js';

/**
 * After a fix: the linked cases wait for their customers and resolve after the quiet period,
 * only while the fix stands; cases that leave the problem go back to the desk; a reopening and
 * a cleared ETA are told as they are; each customer hears each update once.
 */
describe.each(ENGINES)('problems after a fix on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(engine);
    await addWebhookTarget(t);
  });
  afterAll(async () => {
    await t?.close();
  });
  const { db, api, ingest, cases, autoProblem, escalations, caseRows, setStatus, next } =
    problemsWorld(() => t);

  it('a fix that did not hold: the linked cases go back to the desk instead of resolving', async () => {
    const cs = await cases(2);
    const id = await autoProblem(cs);
    const status = (s: string) =>
      api('POST', `/api/v1/problems/${id}/status`, { status: s, silent: true });
    expect((await status('fixed')).statusCode).toBe(200);
    const caseStatus = async () =>
      (
        await db()
          .selectFrom('cases')
          .select('status')
          .where(
            'id',
            'in',
            cs.map((c) => c.case_id!),
          )
          .execute()
      ).map((c) => c.status);
    expect(await caseStatus()).toEqual(['pending', 'pending']);
    // The team's tracker (or a person) reopens it before the quiet period is over: their
    // customers are still affected, so the cases are the desk's again (writes.test.ts).
    expect((await status('fixing')).statusCode).toBe(200);
    const later = () => Date.now() + 40 * 24 * 3_600_000;
    expect(await new ProblemWorker({ database: t.app.database, clock: later }).runOnce()).toBe(0);
    expect(await caseStatus()).toEqual(['open', 'open']);
    // Closed without a new fix: still nothing resolves as "fixed".
    expect((await status('closed')).statusCode).toBe(200);
    expect(await new ProblemWorker({ database: t.app.database, clock: later }).runOnce()).toBe(0);
    expect((await status('fixing')).statusCode).toBe(200);
    // Fixed again: the quiet period starts again and then they resolve.
    expect((await status('fixed')).statusCode).toBe(200);
    expect(await new ProblemWorker({ database: t.app.database, clock: later }).runOnce()).toBe(2);
    expect(await caseStatus()).toEqual(['resolved', 'resolved']);
  });

  it('cases told of a fix that leave the problem go back to the desk; merged into a fixed one they keep waiting', async () => {
    const cs = await cases(4);
    const id = await autoProblem(cs);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    expect(Object.values(await caseRows(cs.map((c) => c.case_id)))).toEqual(
      Array(4).fill('pending'),
    );
    // Unlinked: back to open. Split off (the new problem is not fixed): back to open.
    await api('POST', `/api/v1/problems/${id}/links`, { unlink: [cs[0].case_id] });
    const split = await api('POST', `/api/v1/problems/${id}/split`, { caseIds: [cs[1].case_id] });
    expect(split.statusCode, split.body).toBe(201);
    const after = await caseRows(cs.map((c) => c.case_id));
    expect(after[cs[0].case_id!]).toBe('open');
    expect(after[cs[1].case_id!]).toBe('open');
    expect(after[cs[2].case_id!]).toBe('pending');

    // Merged into another fixed problem: still waiting, and resolved when due.
    const other = await autoProblem(await cases(1));
    expect((await setStatus(other, { status: 'fixed' })).statusCode).toBe(200);
    const merged = await api('POST', `/api/v1/problems/${id}/merge`, { intoId: other });
    expect(merged.statusCode, merged.body).toBe(200);
    const later = () => Date.now() + 40 * 24 * 3_600_000;
    await new ProblemWorker({ database: t.app.database, clock: later }).runOnce();
    const end = await caseRows(cs.map((c) => c.case_id));
    expect(end[cs[2].case_id!]).toBe('resolved');
    expect(end[cs[3].case_id!]).toBe('resolved');
    expect(end[cs[0].case_id!]).toBe('open');
  });

  it('a case linked again after its fix notice found no route is told again, not left waiting untold', async () => {
    // A second case stays: unlinking a problem's last case is refused (links-noop.test.ts).
    const [c, stays] = await cases(2);
    const id = await autoProblem([c, stays]);
    expect((await setStatus(id, { status: 'fixed', silent: false })).json().notified).toBe(2);
    // No route reached the customer (as the notifier records it).
    await db()
      .updateTable('problem_notifications')
      .set({ status: 'undeliverable', error: 'no address' })
      .where('problem_id', '=', id)
      .execute();
    await api('POST', `/api/v1/problems/${id}/links`, { unlink: [c.case_id] });
    const res = await api('POST', `/api/v1/problems/${id}/links`, { link: [c.case_id] });
    expect(res.statusCode, res.body).toBe(200);
    const notes = await db()
      .selectFrom('problem_notifications')
      .select(['status', 'update_id'])
      .where('problem_id', '=', id)
      .where('case_id', '=', c.case_id!)
      .execute();
    expect(notes).toEqual([{ status: 'queued', update_id: expect.any(String) }]);
    const deliveries = await db()
      .selectFrom('outbox')
      .select('status')
      .where('kind', '=', 'notify_customer')
      .where('payload_json', 'like', `%${notes[0].update_id}%`)
      .where('payload_json', 'like', `%${c.case_id}%`)
      .execute();
    expect(deliveries.map((d) => d.status)).toContain('pending');
    expect(deliveries.length).toBe(2);
  });

  it('customers told of a fix that is merged into a problem not fixed hear their trouble goes on', async () => {
    const told = await cases(2);
    const src = await autoProblem(told);
    expect((await setStatus(src, { status: 'fixed', silent: false })).json().notified).toBe(2);
    const dst = await autoProblem(await cases(1));
    expect((await setStatus(dst, { status: 'confirmed' })).statusCode).toBe(200);
    const merged = await api('POST', `/api/v1/problems/${src}/merge`, { intoId: dst });
    expect(merged.statusCode, merged.body).toBe(200);
    const notes = await db()
      .selectFrom('problem_notifications')
      .select(['customer_id', 'text'])
      .where('problem_id', '=', dst)
      .execute();
    expect(new Set(notes.map((n) => n.customer_id))).toEqual(
      new Set(told.map((c) => c.customer_id)),
    );
    expect(notes[0].text).toMatch(
      /We have confirmed it and our team is on it\. The fix we told you about did not cover/,
    );
  });

  it('customers of cases split off a fixed problem hear the fix did not cover them; the rest hear nothing', async () => {
    const told = await cases(3);
    const src = await autoProblem(told);
    expect((await setStatus(src, { status: 'fixed', silent: false })).json().notified).toBe(3);
    // Delivered (a notice still queued is cancelled by the split: that customer heard nothing).
    await db()
      .updateTable('problem_notifications')
      .set({ status: 'sent' })
      .where('problem_id', '=', src)
      .execute();
    const split = await api('POST', `/api/v1/problems/${src}/split`, {
      caseIds: [told[0].case_id],
    });
    expect(split.statusCode, split.body).toBe(201);
    const notes = await db()
      .selectFrom('problem_notifications')
      .select(['customer_id', 'text'])
      .where('problem_id', '=', split.json().id)
      .execute();
    expect(notes.map((n) => n.customer_id)).toEqual([told[0].customer_id]);
    expect(notes[0].text).toMatch(/The fix we told you about did not cover your trouble/);
  });

  it('reopening a fixed problem is a reopening for the tools; clearing the ETA is not sent as the old one', async () => {
    const id = await autoProblem(await cases(1));
    expect((await setStatus(id, { etaAt: '2026-12-24T15:30:00.000Z' })).statusCode).toBe(200);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    expect((await setStatus(id, { status: 'fixing' })).statusCode).toBe(200);
    expect(await escalations(id)).toEqual(['problem.updated', 'problem.fixed', 'problem.reopened']);
    const res = await api('POST', `/api/v1/problems/${id}/status`, {
      etaAt: null,
      body: 'No ETA for now.',
    });
    expect(res.statusCode, res.body).toBe(200);
    const sent = await db()
      .selectFrom('problem_notifications')
      .select('text')
      .where('problem_id', '=', id)
      .execute();
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain('No ETA for now.');
    expect(sent[0].text).not.toContain('15:30');
  });

  it('a customer with two linked cases hears each update once', async () => {
    const k = next();
    const author = { id: `shape-twice-${k}` };
    const [x] = await ingest([aMessage({ channel: 'x', author, text: 'no signal in Austin' })]);
    const [other] = await cases(1);
    const id = await autoProblem([x, other]);
    // The same customer also wrote by e-mail later (identified as them): a second case.
    const mail = await ingest([
      aMessage({
        channel: 'email',
        visibility: 'private',
        author: { id: `twice-${k}@example.org` },
        text: 'still no signal',
      }),
    ]);
    await db()
      .updateTable('cases')
      .set({ customer_id: x.customer_id! })
      .where('id', '=', mail[0].case_id!)
      .execute();
    await api('POST', `/api/v1/problems/${id}/links`, { link: [mail[0].case_id] });
    const res = await api('POST', `/api/v1/problems/${id}/status`, { status: 'fixed' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().notified).toBe(2);
    const rows = await db()
      .selectFrom('problem_notifications')
      .select(['customer_id', 'case_id'])
      .where('problem_id', '=', id)
      .execute();
    expect(rows).toHaveLength(2);
    // The customer's latest linked case carries it.
    expect(rows.find((r) => r.customer_id === x.customer_id)?.case_id).toBe(mail[0].case_id);
  });

  it('the quiet period does not resolve a case its customer reopened while the worker ran', async () => {
    const author = { id: `+1555300${next()}` };
    const sms = (text: string, at: number) =>
      aMessage({
        channel: 'sms',
        visibility: 'private',
        author,
        text,
        sentAt: new Date(at).toISOString(),
      });
    const [c] = await ingest([sms('no signal in Austin', Date.now() - 3_600_000)]);
    const id = await autoProblem([c]);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    // The customer writes back after the worker found the case due, before it writes.
    let replied = false;
    const real = t.app.database;
    const db2 = new Proxy(real.db, {
      get(target, prop) {
        if (prop === 'transaction')
          return () => ({
            execute: async (fn: never) => {
              if (!replied) {
                replied = true;
                await ingest([sms('hello? it is still not working', Date.now())]);
              }
              return target.transaction().execute(fn);
            },
          });
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const later = () => Date.now() + 40 * 24 * 3_600_000;
    const worker = new ProblemWorker({ database: { ...real, db: db2 }, clock: later });
    await worker.runOnce();
    expect(replied).toBe(true);
    expect((await caseRows([c.case_id]))[c.case_id!]).toBe('open');
  });

  /** A problem's notifications in the order they were queued. */
  const notices = (id: string) =>
    db()
      .selectFrom('problem_notifications')
      .select(['update_id', 'case_id', 'customer_id', 'text'])
      .where('problem_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  /** The notify_customer outbox rows queued for these notices. */
  const outboxOf = async (ns: { update_id: string; case_id: string }[]) =>
    (
      await db()
        .selectFrom('outbox')
        .select('idempotency_key')
        .where('kind', '=', 'notify_customer')
        .execute()
    ).filter((r) =>
      ns.some((n) => r.idempotency_key === `notify_customer:${n.update_id}:${n.case_id}`),
    );
  const dueOf = async (id: string, caseId: string | null) =>
    (
      await db()
        .selectFrom('problem_links')
        .select('resolve_due_at')
        .where('problem_id', '=', id)
        .where('case_id', '=', caseId!)
        .executeTakeFirstOrThrow()
    ).resolve_due_at;

  it('a case linked to a fixed problem: its customer is told of the fix and the case waits like the others', async () => {
    const [first, joiner] = await cases(2);
    const id = await autoProblem([first]);
    const fix = await api('POST', `/api/v1/problems/${id}/status`, {
      status: 'fixed',
      body: 'The tower is repaired.',
    });
    expect(fix.json().notified).toBe(1);
    const res = await api('POST', `/api/v1/problems/${id}/links`, { link: [joiner.case_id] });
    expect(res.statusCode, res.body).toBe(200);
    const sent = await notices(id);
    expect(sent).toHaveLength(2);
    // The fix's own notice (update, text) on the joiner's case, through the outbox.
    expect(sent[1]).toEqual({
      ...sent[0],
      case_id: joiner.case_id,
      customer_id: joiner.customer_id,
    });
    expect(sent[1].text).toContain('is fixed. The tower is repaired.');
    expect(await outboxOf(sent)).toHaveLength(2);
    expect((await caseRows([joiner.case_id]))[joiner.case_id!]).toBe('pending');
    expect(Number(await dueOf(id, joiner.case_id))).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    // Linked again (it is held already): nobody is told twice.
    await api('POST', `/api/v1/problems/${id}/links`, { link: [joiner.case_id] });
    expect(await notices(id)).toHaveLength(2);
    const later = () => Date.now() + 40 * 24 * 3_600_000;
    // Its notice still queued, the quiet period does not resolve it (quiet-notice.test.ts).
    await new ProblemWorker({ database: t.app.database, clock: later }).runOnce();
    expect((await caseRows([joiner.case_id]))[joiner.case_id!]).toBe('pending');
    await db()
      .updateTable('problem_notifications')
      .set({ status: 'sent', sent_at: Date.now() })
      .where('problem_id', '=', id)
      .execute();
    await new ProblemWorker({ database: t.app.database, clock: later }).runOnce();
    expect((await caseRows([joiner.case_id]))[joiner.case_id!]).toBe('resolved');
  });

  it("merged into a fixed problem: the source's customers are told of the fix and their cases wait", async () => {
    const dst = await autoProblem(await cases(1));
    const fix = await api('POST', `/api/v1/problems/${dst}/status`, { status: 'fixed' });
    expect(fix.json().notified).toBe(1);
    const cs = await cases(2);
    const src = await autoProblem(cs);
    const merged = await api('POST', `/api/v1/problems/${src}/merge`, { intoId: dst });
    expect(merged.statusCode, merged.body).toBe(200);
    const sent = await notices(dst);
    expect(
      sent
        .map((n) => n.case_id)
        .slice(1)
        .sort(),
    ).toEqual(cs.map((c) => c.case_id).sort());
    expect(new Set(sent.map((n) => n.update_id)).size).toBe(1);
    expect(await outboxOf(sent)).toHaveLength(3);
    expect(Object.values(await caseRows(cs.map((c) => c.case_id)))).toEqual(['pending', 'pending']);
    for (const c of cs) expect(await dueOf(dst, c.case_id)).not.toBeNull();
  });

  it('linked to a verified problem fixed silently: a fixed notice is posted for the joiner, who waits', async () => {
    const [first, joiner] = await cases(2);
    const id = await autoProblem([first]);
    expect((await setStatus(id, { status: 'fixed' })).statusCode).toBe(200);
    expect((await setStatus(id, { status: 'verified' })).statusCode).toBe(200);
    expect(await notices(id)).toHaveLength(0);
    const res = await api('POST', `/api/v1/problems/${id}/links`, { link: [joiner.case_id] });
    expect(res.statusCode, res.body).toBe(200);
    const sent = await notices(id);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ case_id: joiner.case_id, customer_id: joiner.customer_id });
    expect(sent[0].text).toContain('is fixed.');
    const update = await db()
      .selectFrom('problem_updates')
      .select('status')
      .where('id', '=', sent[0].update_id)
      .executeTakeFirstOrThrow();
    expect(update.status).toBe('fixed');
    expect((await caseRows([joiner.case_id, first.case_id]))[joiner.case_id!]).toBe('pending');
  });
});
