import { describe, expect, it } from 'vitest';
import { asAdmin } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { patchProblemSettings, problemsWorld } from './test-world.js';

/**
 * Requests to the problems API that QA found answered wrongly: a bad body refused only after
 * the case's problem was checked, praise taken for a complaint, a closed problem merged away,
 * an empty notifications cursor refused, settings changed with no audit entry.
 */
describe.each(ENGINES)('problems API requests on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  const message = (res: { json(): { error: { message: string } } }) => res.json().error.message;

  it('validates the body of POST /problems before the case: a bad area is a 400, not a 409', async () => {
    const [c] = await w.cases(1);
    await w.autoProblem([c]);
    const bad = await w.api('POST', '/api/v1/problems', {
      caseId: c.case_id,
      area: { postalCode: '94110', region: 'TX' },
    });
    expect(bad.statusCode, bad.body).toBe(400);
    const praise = await w.api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'praise' });
    expect(praise.statusCode, praise.body).toBe(400);
    // A good body still meets the case's open problem.
    const held = await w.api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'outage' });
    expect(held.statusCode, held.body).toBe(409);
  });

  it('refuses praise as a problem topic and as an owner rule topic', async () => {
    const [c] = await w.cases(1);
    const res = await w.api('POST', '/api/v1/problems', { caseId: c.case_id, topic: 'praise' });
    expect(res.statusCode, res.body).toBe(400);
    expect(message(res)).toMatch(/praise is not a complaint/);
    const links = await w
      .db()
      .selectFrom('problem_links')
      .selectAll()
      .where('case_id', '=', c.case_id!)
      .execute();
    expect(links).toEqual([]);
    const rule = await patchProblemSettings(t, {
      ownerRules: [{ topic: 'praise', team: 'Network operations' }],
    });
    expect(rule.statusCode, rule.body).toBe(400);
    expect(message(rule)).toMatch(/ownerRules\/0\/topic: praise/);
  });

  it('refuses to merge a closed problem: its cases stay, as its history, and keep waiting', async () => {
    const [a, b] = await w.cases(2);
    const closed = await w.autoProblem([a]);
    const open = await w.autoProblem([b]);
    expect((await w.setStatus(closed, { status: 'fixed' })).statusCode).toBe(200);
    expect((await w.setStatus(closed, { status: 'closed' })).statusCode).toBe(200);
    expect(await w.caseRows([a.case_id])).toEqual({ [a.case_id!]: 'pending' });
    const version = (await w.problem(closed)).version;
    const res = await w.api('POST', `/api/v1/problems/${closed}/merge`, { intoId: open });
    expect(res.statusCode, res.body).toBe(422);
    expect(message(res)).toMatch(/a closed problem cannot be merged/);
    const p = (await w.api('GET', `/api/v1/problems/${closed}`)).json();
    expect(p.caseIds).toEqual([a.case_id]);
    expect(p.mergedInto).toBeNull();
    expect((await w.problem(closed)).version).toBe(version);
    expect(await w.caseRows([a.case_id])).toEqual({ [a.case_id!]: 'pending' });
    expect(await w.activeCases(open)).toEqual([b.case_id]);
  });

  it('takes an empty notifications cursor as the first page; a malformed one is still a 400', async () => {
    const id = await w.autoProblem(await w.cases(2));
    expect((await w.setStatus(id, { body: 'Crews are on site.', silent: false })).statusCode).toBe(
      200,
    );
    const first = await w.api('GET', `/api/v1/problems/${id}/notifications?cursor=`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().items).toHaveLength(2);
    const bad = await w.api('GET', `/api/v1/problems/${id}/notifications?cursor=garbage`);
    expect(bad.statusCode).toBe(400);
  });

  it('audits changes to the problem settings, naming the fields changed', async () => {
    const patch = await patchProblemSettings(t, {
      quietPeriodMinutes: 90,
      updateTemplate: 'Update on {subject}: {status}. {body}',
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const log = await asAdmin(t, 'GET', '/api/v1/audit?action=problem_settings.');
    expect(log.statusCode, log.body).toBe(200);
    const [entry] = log.json().items;
    expect(entry).toMatchObject({
      action: 'problem_settings.updated',
      data: { fields: ['quietPeriodMinutes', 'updateTemplate'] },
    });
    // A refused change is not in the log.
    const refused = await patchProblemSettings(t, { updateTemplate: '{nope}' });
    expect(refused.statusCode).toBe(400);
    const after = await asAdmin(t, 'GET', '/api/v1/audit?action=problem_settings.');
    expect(after.json().items).toHaveLength(1);
  });
});
