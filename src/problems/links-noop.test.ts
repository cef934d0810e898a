import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from './test-world.js';

/**
 * Link and unlink requests that change nothing (a case held already linked, one not held
 * unlinked) are no new version: they bumped it, and the next person's request read from the same
 * copy got a 409 for a change that never happened. A case both linked and unlinked in one request
 * is a 400; a split or an unlink taking every case the problem holds is refused (422) instead of
 * leaving a problem that is not closed with no case (a closed one's links are history).
 */
describe.each(ENGINES)('link requests that change nothing on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, cases, autoProblem, problem, activeCases, human, setStatus } = problemsWorld(
    () => t,
  );

  it('a no-op link or unlink keeps the version, so an expectedVersion read before still holds', async () => {
    const [held, outside] = await cases(2);
    const id = await autoProblem([held]);
    const { version } = await problem(id);
    const links = (payload: unknown) => api('POST', `/api/v1/problems/${id}/links`, payload);
    for (const payload of [
      { link: [held.case_id] },
      { unlink: [outside.case_id] },
      { link: [held.case_id, held.case_id], unlink: [outside.case_id] },
    ]) {
      const res = await links(payload);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().version, JSON.stringify(payload)).toBe(version);
    }
    expect((await problem(id)).version).toBe(version);
    // Nobody changed it: the detector may still shape it.
    expect(await human(id)).toBe(false);
    // A real change made with the version read before all that is not a conflict.
    const real = await links({ link: [outside.case_id], expectedVersion: version });
    expect(real.statusCode, real.body).toBe(200);
    expect(real.json().version).toBe(version + 1);
    expect(await human(id)).toBe(true);
  });

  it('one case both linked and unlinked is a 400 and changes nothing', async () => {
    const [a, b] = await cases(2);
    const id = await autoProblem([a]);
    const before = await problem(id);
    const res = await api('POST', `/api/v1/problems/${id}/links`, {
      link: [b.case_id],
      unlink: [a.case_id, b.case_id],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(`both linked and unlinked: ${b.case_id}`);
    expect(await activeCases(id)).toEqual([a.case_id]);
    expect((await problem(id)).version).toBe(before.version);
  });

  it('a split naming every case of the problem is refused; one leaving a case is made', async () => {
    const cs = await cases(2);
    const id = await autoProblem(cs);
    const all = await api('POST', `/api/v1/problems/${id}/split`, {
      caseIds: cs.map((c) => c.case_id),
    });
    expect(all.statusCode).toBe(422);
    expect(all.json().error.message).toMatch(/at least one case/);
    expect(await activeCases(id)).toEqual(cs.map((c) => c.case_id!).sort());
    const some = await api('POST', `/api/v1/problems/${id}/split`, { caseIds: [cs[0].case_id] });
    expect(some.statusCode, some.body).toBe(201);
    expect(await activeCases(id)).toEqual([cs[1].case_id]);
  });

  it('a split of a merged-away problem is the 422 merges answer; a case named twice moves once', async () => {
    const cs = await cases(3);
    const [src, dst] = [await autoProblem([cs[0]]), await autoProblem(cs.slice(1))];
    const merged = await api('POST', `/api/v1/problems/${src}/merge`, { intoId: dst });
    expect(merged.statusCode, merged.body).toBe(200);
    const gone = await api('POST', `/api/v1/problems/${src}/split`, { caseIds: [cs[0].case_id] });
    expect(gone.statusCode, gone.body).toBe(422);
    expect(gone.json().error.message).toMatch(/was merged into/);
    const twice = await api('POST', `/api/v1/problems/${dst}/split`, {
      caseIds: [cs[1].case_id, cs[1].case_id],
    });
    expect(twice.statusCode, twice.body).toBe(201);
    const events = await t.app.database.db
      .selectFrom('problem_events')
      .select('data_json')
      .where('problem_id', '=', dst)
      .where('type', '=', 'split')
      .execute();
    expect(events.map((e) => JSON.parse(e.data_json).caseIds)).toEqual([[cs[1].case_id]]);
  });

  it('unlinking every case is refused as a split of them is, unless the problem is closed', async () => {
    for (const status of ['suspected', 'confirmed', 'fixed'] as const) {
      const cs = await cases(2);
      const id = await autoProblem(cs);
      if (status !== 'suspected')
        expect((await setStatus(id, { status })).statusCode, status).toBe(200);
      const before = await problem(id);
      const all = cs.map((c) => c.case_id);
      const unlinked = await api('POST', `/api/v1/problems/${id}/links`, { unlink: all });
      expect(unlinked.statusCode, `${status}: ${unlinked.body}`).toBe(422);
      expect(unlinked.json().error.message).toMatch(
        /^an unlink must leave the problem at least one case/,
      );
      const split = await api('POST', `/api/v1/problems/${id}/split`, { caseIds: all });
      expect(split.statusCode, status).toBe(422);
      expect(await activeCases(id)).toEqual(all.map((c) => c!).sort());
      expect((await problem(id)).version).toBe(before.version);
    }
    // Every case swapped for another in one request leaves it one: made.
    const [a, b] = await cases(2);
    const swapped = await autoProblem([a]);
    const swap = await api('POST', `/api/v1/problems/${swapped}/links`, {
      link: [b.case_id],
      unlink: [a.case_id],
    });
    expect(swap.statusCode, swap.body).toBe(200);
    expect(await activeCases(swapped)).toEqual([b.case_id]);
    // A closed problem's links are history: its last case may go, by unlink or split.
    for (const how of ['unlink', 'split'] as const) {
      const cs = await cases(1);
      const id = await autoProblem(cs);
      expect((await setStatus(id, { status: 'closed' })).statusCode).toBe(200);
      const res =
        how === 'unlink'
          ? await api('POST', `/api/v1/problems/${id}/links`, { unlink: [cs[0].case_id] })
          : await api('POST', `/api/v1/problems/${id}/split`, { caseIds: [cs[0].case_id] });
      expect(res.statusCode, `${how}: ${res.body}`).toBe(how === 'unlink' ? 200 : 201);
      expect(await activeCases(id)).toEqual([]);
    }
  });
});
