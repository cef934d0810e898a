import { describe, expect, it } from 'vitest';
import { suiteAppRoutes } from './support/suite.js';

/**
 * The OpenAPI document says which routes need a sign-in: the public ones (health, sign-in, the
 * survey, signed webhooks) carry no security requirement, so a generated client does not send a
 * desk credential where it is refused; every other route keeps the document's bearer/session one.
 */
describe('OpenAPI security requirements', () => {
  const { t, routes } = suiteAppRoutes();

  it('marks every public route open and leaves the others to the global requirement', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.security).toEqual([{ bearer: [] }, { session: [] }]);
    const op = (r: { method: string; url: string }) =>
      doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
    const wrong: string[] = [];
    for (const r of routes) {
      if (r.hidden) continue;
      const o = op(r);
      if (!o) wrong.push(`${r.method} ${r.url}: not in the document`);
      else if (r.isPublic && !(Array.isArray(o.security) && o.security.length === 0))
        wrong.push(`${r.method} ${r.url}: public, but security is ${JSON.stringify(o.security)}`);
      else if (!r.isPublic && o.security !== undefined)
        wrong.push(
          `${r.method} ${r.url}: needs a sign-in, but security is ${JSON.stringify(o.security)}`,
        );
    }
    expect(wrong).toEqual([]);
    for (const path of [
      '/healthz',
      '/api/v1/auth/login',
      '/api/v1/csat/{token}',
      '/api/v1/integrations/{id}/jira-webhook',
      '/api/v1/integrations/{id}/pagerduty-webhook',
    ]) {
      const ops = Object.values(doc.paths[path] ?? {}) as { security?: unknown }[];
      expect(ops.length, path).toBeGreaterThan(0);
      for (const o of ops) expect(o.security, path).toEqual([]);
    }
    expect(op({ method: 'get', url: '/api/v1/cases' }).security).toBeUndefined();
  });
});
