import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { etaPhrase } from './problem.settings.js';
import { problemsWorld } from './test-world.js';

/**
 * A problem an agent makes by hand from a case, as the API takes it: places not known stay
 * null (and read as the detector's do), the topic is one of triage's, the list's filters
 * validate like its status filter, a case is in one open problem at a time, and the agent's
 * update reads as sentences.
 */
describe.each(ENGINES)('problems made by hand on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, cases, autoProblem } = problemsWorld(() => t);
  /** The problems a case is linked to now. */
  const linksOf = async (caseId: string) =>
    (
      await db()
        .selectFrom('problem_links')
        .select('problem_id')
        .where('case_id', '=', caseId)
        .where('unlinked_at', 'is', null)
        .execute()
    ).map((l) => l.problem_id);
  const ids = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((p) => p.id);

  it('keeps unknown area fields null, titles it by the place, and finds it by state and country', async () => {
    const [c] = await cases(1);
    const res = await api('POST', '/api/v1/problems', {
      caseId: c.case_id,
      topic: 'network',
      area: { postalCode: null, city: 'Austin', region: 'TX', country: null },
      owner: null,
    });
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json();
    // The country follows from the state, as in the detector's areas; nothing becomes "".
    expect(p.area).toEqual({ postalCode: null, city: 'Austin', region: 'TX', country: 'US' });
    expect(p.title).toBe('network — Austin');
    expect(p.owner).toBe('Network operations');
    for (const area of ['Texas', 'United%20States', 'TX', 'Austin', 'Austin,%20TX']) {
      const found = await api('GET', `/api/v1/problems?area=${area}`);
      expect(found.statusCode).toBe(200);
      expect(ids(found), area).toContain(p.id);
    }
    expect(ids(await api('GET', '/api/v1/problems?area=Ohio'))).not.toContain(p.id);
    // Two places at once are refused by the filter as by POST (problem.list.test.ts).
    const two = await api('GET', '/api/v1/problems?area=Austin,%20CA');
    expect(two.statusCode, two.body).toBe(400);
    expect(two.json().error.message).toMatch(/no US city "Austin" in CA/);
    // Clearing the owner clears it (it was stored as "").
    const cleared = await api('POST', `/api/v1/problems/${p.id}/status`, { owner: null });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().problem.owner).toBeNull();
    // Closed: an open problem made for Austin's network would draw the later tests' cases
    // ("no signal at all in Austin today"), as it should (manual-draws.test.ts).
    const closed = await api('POST', `/api/v1/problems/${p.id}/status`, { status: 'closed' });
    expect(closed.statusCode, closed.body).toBe(200);
  });

  it('writes a problem_linked entry on the history of each case a person links', async () => {
    const [a, b] = await cases(2);
    const made = await api('POST', '/api/v1/problems', { caseId: a.case_id, topic: 'outage' });
    expect(made.statusCode, made.body).toBe(201);
    const p = made.json();
    const linked = await api('POST', `/api/v1/problems/${p.id}/links`, { link: [b.case_id] });
    expect(linked.statusCode, linked.body).toBe(200);
    const entries = async (caseId: string) =>
      (await api('GET', `/api/v1/cases/${caseId}/history`))
        .json()
        .items.filter((h: { type: string }) => h.type === 'problem_linked')
        .map((h: { data: Record<string, unknown> }) => h.data);
    expect(await entries(a.case_id!)).toEqual([
      { problemId: p.id, number: p.number, how: 'created_from_case' },
    ]);
    expect(await entries(b.case_id!)).toEqual([
      { problemId: p.id, number: p.number, how: 'by_hand' },
    ]);
    // Linking it again is no change: no second entry.
    await api('POST', `/api/v1/problems/${p.id}/links`, { link: [b.case_id] });
    expect(await entries(b.case_id!)).toHaveLength(1);
  });

  it('a ZIP alone reads as its place; a text cluster keeps a null topic; blanks are null', async () => {
    const [a, b] = await cases(2);
    const zip = await api('POST', '/api/v1/problems', {
      caseId: a.case_id,
      topic: 'outage',
      area: { postalCode: '78701', city: null, region: null, country: null },
    });
    expect(zip.statusCode, zip.body).toBe(201);
    expect(zip.json().area).toEqual({
      postalCode: '78701',
      city: 'Austin',
      region: 'TX',
      country: 'US',
    });
    expect(zip.json().title).toBe('outage — 78701 (Austin)');
    expect(ids(await api('GET', '/api/v1/problems?area=Texas'))).toContain(zip.json().id);
    const none = await api('POST', '/api/v1/problems', {
      caseId: b.case_id,
      topic: null,
      area: { postalCode: ' ', city: '', region: null, country: null },
    });
    expect(none.statusCode, none.body).toBe(201);
    expect(none.json().topic).toBeNull();
    expect(none.json().area).toEqual({ postalCode: null, city: null, region: null, country: null });
    expect(none.json().title).toBe('Complaints — everywhere');
  });

  it('refuses a topic triage does not have, on creation and as a filter', async () => {
    const [c] = await cases(1);
    const bad = await api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'bogus-topic' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('topic');
    expect(bad.body).toContain('delivery');
    expect(await linksOf(c.case_id!)).toEqual([]);
    const filter = await api('GET', '/api/v1/problems?topic=bogus');
    expect(filter.statusCode).toBe(400);
    expect(filter.json().error.message).toContain('network');
    expect((await api('GET', '/api/v1/problems?topic=billing')).statusCode).toBe(200);
  });

  it('an empty cursor is the first page, as in the case list; a malformed one is still a 400', async () => {
    const first = await api('GET', '/api/v1/problems?limit=2');
    const empty = await api('GET', '/api/v1/problems?limit=2&cursor=');
    expect(empty.statusCode, empty.body).toBe(200);
    expect(ids(empty)).toEqual(ids(first));
    expect((await api('GET', '/api/v1/cases?cursor=')).statusCode).toBe(200);
    expect((await api('GET', '/api/v1/problems?cursor=nope')).statusCode).toBe(400);
  });

  it('a case in an open problem makes no second one: 409 naming the problem, the case stays', async () => {
    const [c] = await cases(1);
    const first = await api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'billing' });
    expect(first.statusCode, first.body).toBe(201);
    const again = await api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'device' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain(first.json().id);
    expect(again.json().error.message).toContain(`#${first.json().number}`);
    // Also when the detector linked it.
    const [d] = await cases(1);
    const auto = await autoProblem([d]);
    const onAuto = await api('POST', '/api/v1/problems', { caseId: d.case_id, topic: 'device' });
    expect(onAuto.statusCode).toBe(409);
    expect(onAuto.json().error.message).toContain(auto);
    expect(await linksOf(c.case_id!)).toEqual([first.json().id]);
    expect(await linksOf(d.case_id!)).toEqual([auto]);
    // Once that problem is closed the case may start a new one.
    const close = await api('POST', `/api/v1/problems/${first.json().id}/status`, {
      status: 'closed',
      silent: true,
    });
    expect(close.statusCode, close.body).toBe(200);
    const after = await api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'device' });
    expect(after.statusCode, after.body).toBe(201);
  });

  it('a case in an open problem is not linked to a second one by hand either', async () => {
    const [c, e, d] = await cases(3);
    const a = (
      await api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'billing' })
    ).json();
    const b = (
      await api('POST', '/api/v1/problems', { caseId: e.case_id, topic: 'device' })
    ).json();
    const link = await api('POST', `/api/v1/problems/${b.id}/links`, { link: [c.case_id] });
    expect(link.statusCode).toBe(409);
    expect(link.json().error.message).toContain(a.id);
    expect(await linksOf(c.case_id!)).toEqual([a.id]);
    // Linking it again to the problem that holds it is a no-op, not a conflict.
    const same = await api('POST', `/api/v1/problems/${a.id}/links`, { link: [c.case_id] });
    expect(same.statusCode, same.body).toBe(200);
    // Unlinked there (where another case stays: a problem's last case is not unlinked), it may
    // be linked here.
    await api('POST', `/api/v1/problems/${a.id}/links`, { link: [d.case_id] });
    const out = await api('POST', `/api/v1/problems/${a.id}/links`, { unlink: [c.case_id] });
    expect(out.statusCode, out.body).toBe(200);
    const moved = await api('POST', `/api/v1/problems/${b.id}/links`, { link: [c.case_id] });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await linksOf(c.case_id!)).toEqual([b.id]);
  });

  it('an update without final punctuation still reads as its own sentence before the ETA', async () => {
    const [c] = await cases(1);
    const p = await api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'network' });
    expect(p.statusCode, p.body).toBe(201);
    const id = p.json().id as string;
    // Within a year of now: an ETA further ahead is refused.
    const eta = Date.now() + 3 * 24 * 3_600_000;
    const post = (body: string) =>
      api('POST', `/api/v1/problems/${id}/status`, {
        status: 'fixing',
        body,
        etaAt: new Date(eta).toISOString(),
      });
    expect((await post('Crews are on it')).statusCode).toBe(200);
    const texts = async () =>
      (
        await db()
          .selectFrom('problem_notifications')
          .select(['text', 'created_at'])
          .where('problem_id', '=', id)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map((n) => n.text);
    expect((await texts())[0]).toBe(
      `Update on the network problem: Our team is working on a fix. Crews are on it.${etaPhrase(eta, Date.now(), 'fixing')}`,
    );
    expect((await texts())[0]).toMatch(/Crews are on it\. We expect it fixed by /);
    // A body that ends a sentence already gets no second stop.
    expect((await post('Crews are on it!')).statusCode).toBe(200);
    expect((await texts())[1]).toContain('Crews are on it! We expect it fixed by');
  });

  it('an area that leaves levels out takes them as null; unknown keys and wrong types are refused', async () => {
    const [a, b] = await cases(2);
    const city = await api('POST', '/api/v1/problems', {
      caseId: a.case_id,
      topic: 'network',
      area: { city: 'Austin', region: 'TX' },
    });
    expect(city.statusCode, city.body).toBe(201);
    expect(city.json().area).toEqual({
      postalCode: null,
      city: 'Austin',
      region: 'TX',
      country: 'US',
    });
    // Closed, so it draws none of the cases below (as the first test's).
    const closed = await api('POST', `/api/v1/problems/${city.json().id}/status`, {
      status: 'closed',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const empty = await api('POST', '/api/v1/problems', { caseId: b.case_id, area: {} });
    expect(empty.statusCode, empty.body).toBe(201);
    expect(empty.json().area).toEqual({
      postalCode: null,
      city: null,
      region: null,
      country: null,
    });
    const [c] = await cases(1);
    for (const area of [{ city: 'Austin', zip: '78701' }, { city: { name: 'Austin' } }, 'Austin']) {
      const bad = await api('POST', '/api/v1/problems', { caseId: c.case_id, area });
      expect(bad.statusCode, JSON.stringify(area)).toBe(400);
    }
    expect(await linksOf(c.case_id!)).toEqual([]);
  });

  it('topic=none lists the problems without a topic (text clusters), and only those', async () => {
    const [a, b] = await cases(2);
    const none = (await api('POST', '/api/v1/problems', { caseId: a.case_id, topic: null })).json();
    const net = (
      await api('POST', '/api/v1/problems', { caseId: b.case_id, topic: 'network' })
    ).json();
    const res = await api('GET', '/api/v1/problems?topic=none&limit=200');
    expect(res.statusCode, res.body).toBe(200);
    expect(ids(res)).toContain(none.id);
    expect(ids(res)).not.toContain(net.id);
    expect(res.json().items.every((p: { topic: string | null }) => p.topic === null)).toBe(true);
    // Still a 400 for what is no topic at all, naming the way to ask for none.
    const bad = await api('GET', '/api/v1/problems?topic=null');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('none');
  });
});
