import { beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';

/**
 * Applying a macro requires nothing in its body (`expectedVersion` is optional), so a client may
 * send none: no body at all, or an empty one under a Content-Type (curl's `-d ''`, an HTTP
 * library's JSON default). Both were refused (400 "body must be object", 415, 400 "Body cannot
 * be empty"). A body that is there is still checked, and a route that requires a field still
 * answers 400 without one. Only the macro route opts in (`config.optionalBody`): other writes
 * that require no field (retrying every parked event, assigning a case) still refuse an empty
 * request, as they did before.
 */
describe.each(ENGINES)('applying a macro without a body, on %s', (engine) => {
  const t = suiteApp(engine);
  const w = careWorld(() => t);
  let caseId: string;
  let url: string;
  beforeAll(async () => {
    caseId = await w.openCase(aMessage());
    const macro = await w.api('POST', '/api/v1/macros', {
      name: 'triaged',
      actions: [{ type: 'note', body: 'Looked at it' }],
    });
    expect(macro.statusCode, macro.body).toBe(201);
    url = `/api/v1/cases/${caseId}/macros/${macro.json().id}`;
  });
  const post = (headers: Record<string, string>, payload?: string) =>
    t.app.http.inject({
      method: 'POST',
      url,
      headers: { ...t.auth, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
  const notes = async () =>
    (
      await t.app.database.db
        .selectFrom('notes')
        .select('id')
        .where('case_id', '=', caseId)
        .execute()
    ).length;

  it('applies it with no body, or an empty one under any Content-Type', async () => {
    const sends: [string, Record<string, string>, string | undefined][] = [
      ['no body, no Content-Type', {}, undefined],
      ['empty JSON body', { 'content-type': 'application/json' }, ''],
      ['empty form body (curl -d "")', { 'content-type': 'application/x-www-form-urlencoded' }, ''],
      ['empty text body', { 'content-type': 'text/plain' }, ''],
      ['an empty object', { 'content-type': 'application/json' }, '{}'],
    ];
    for (const [i, [what, headers, payload]] of sends.entries()) {
      const res = await post(headers, payload);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(200);
      expect(res.json().id, what).toBe(caseId);
      expect(await notes(), what).toBe(i + 1);
    }
  });

  it('still checks a body that is there, and a body a route requires', async () => {
    const before = await notes();
    const json = { 'content-type': 'application/json' };
    expect((await post(json, '[]')).statusCode).toBe(400);
    expect((await post(json, '{"expectedVersion":"x"}')).statusCode).toBe(400);
    expect((await post(json, '{"nope":1}')).statusCode).toBe(400);
    expect((await post({ 'content-type': 'text/plain' }, 'hello')).statusCode).toBe(415);
    expect(await notes()).toBe(before);
    // A note requires its body: without one it is still a 400 naming it.
    const bare = await asAdmin(t, 'POST', `/api/v1/cases/${caseId}/notes`);
    expect(bare.statusCode, bare.body).toBe(400);
    expect(bare.json().error.message).toMatch(/body/);
  });

  it('a write that did not opt in still refuses an empty request (400, 415), and does nothing', async () => {
    const caseVersion = async () =>
      (
        await t.app.database.db
          .selectFrom('cases')
          .select('version')
          .where('id', '=', caseId)
          .executeTakeFirstOrThrow()
      ).version;
    const version = await caseVersion();
    const sends: [string, Record<string, string>, string | undefined, number][] = [
      ['no body, no Content-Type', {}, undefined, 400],
      ['empty JSON body', { 'content-type': 'application/json' }, '', 400],
      ['empty form body', { 'content-type': 'application/x-www-form-urlencoded' }, '', 415],
    ];
    // Retrying with no `seqs` retries every parked event: an empty POST must not do that.
    const urls = ['/api/v1/admin/parked/retry', `/api/v1/cases/${caseId}/assign`];
    for (const url of urls) {
      for (const [what, headers, payload, status] of sends) {
        const res = await t.app.http.inject({
          method: 'POST',
          url,
          headers: { ...t.auth, ...headers },
          ...(payload === undefined ? {} : { payload }),
        });
        expect(res.statusCode, `${url}, ${what}: ${res.body}`).toBe(status);
        expect(res.json().error.code, `${url}, ${what}`).toMatch(/^(bad_request|unsupported)/);
      }
    }
    expect(await caseVersion()).toBe(version);
    // The same routes still run on a body that says what to do.
    const retried = await asAdmin(t, 'POST', '/api/v1/admin/parked/retry', {});
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toEqual({ retried: 0 });
  });

  it('a macro led by a note still refuses a stale version (409), and applies on the current one', async () => {
    const before = await notes();
    const { version } = await t.app.database.db
      .selectFrom('cases')
      .select('version')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    const json = { 'content-type': 'application/json' };
    const stale = await post(json, JSON.stringify({ expectedVersion: Number(version) - 1 }));
    expect(stale.statusCode, stale.body).toBe(409);
    expect(await notes()).toBe(before);
    const fresh = await post(json, JSON.stringify({ expectedVersion: Number(version) }));
    expect(fresh.statusCode, fresh.body).toBe(200);
    expect(await notes()).toBe(before + 1);
  });
});
