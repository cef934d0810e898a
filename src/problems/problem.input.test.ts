import { describe, expect, it } from 'vitest';
import { suiteApp } from '../../test/support/suite.js';
import { patchProblemSettings, problemsWorld } from './test-world.js';

/**
 * A misspelt field in a write to a problem is refused, naming the field, and changes nothing:
 * a status update sent with `message` instead of `body` went to every linked customer as the
 * bare status line, the owner team's words silently dropped.
 */
describe('fields a problem write does not know', () => {
  const t = suiteApp('sqlite');
  const { api, cases, autoProblem, problem } = problemsWorld(() => t);

  it('a status update with `message` is a 400 naming it; with `body` its words reach customers', async () => {
    const id = await autoProblem(await cases(3));
    const wrong = await api('POST', `/api/v1/problems/${id}/status`, {
      status: 'fixing',
      message: 'Crews are replacing the router',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toBe('invalid request: body has no field "message"');
    expect((await problem(id)).status).toBe('suspected');

    const right = await api('POST', `/api/v1/problems/${id}/status`, {
      status: 'fixing',
      body: 'Crews are replacing the router',
    });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json().notified).toBe(3);
    const sent = await t.app.database.db
      .selectFrom('problem_notifications')
      .select('text')
      .where('problem_id', '=', id)
      .execute();
    expect(sent).toHaveLength(3);
    for (const n of sent) expect(n.text).toContain('Crews are replacing the router.');
  });

  it('a misspelt setting is a 400 naming it, and the settings stay as they were', async () => {
    const before = (await api('GET', '/api/v1/problem-settings')).json();
    const res = await patchProblemSettings(t, { autoAcknowledgement: true });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(
      'invalid request: body has no field "autoAcknowledgement"',
    );
    expect((await api('GET', '/api/v1/problem-settings')).json()).toEqual(before);
  });

  it('a status request with nothing to do is a 400, as an empty links request is', async () => {
    const id = await autoProblem(await cases(1));
    const before = (await problem(id)).version;
    for (const payload of [{}, { silent: true }, { body: '  \n ' }, { externalRefs: {} }]) {
      const res = await api('POST', `/api/v1/problems/${id}/status`, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.message).toMatch(/^nothing to change/);
    }
    expect((await problem(id)).version).toBe(before);
  });

  it('words that differ only by surrounding spaces are no new update: nobody is messaged again', async () => {
    const id = await autoProblem(await cases(2));
    const post = (body: string) =>
      api('POST', `/api/v1/problems/${id}/status`, { status: 'fixing', body });
    const first = await post('Crews are on site.');
    expect(first.json().notified).toBe(2);
    const version = (await problem(id)).version;
    const again = await post('  Crews are on site.\n');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().notified).toBe(0);
    expect((await problem(id)).version).toBe(version);
    const updates = await t.app.database.db
      .selectFrom('problem_updates')
      .select('body')
      .where('problem_id', '=', id)
      .execute();
    expect(updates.map((u) => u.body)).toEqual(['Crews are on site.']);
  });
});
