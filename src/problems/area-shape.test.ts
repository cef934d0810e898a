import { describe, expect, it } from 'vitest';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from './test-world.js';

/*
 * A problem's `area` is always an object with null fields where a level is not known (issue 6),
 * never null itself: a client reading `area.country` must not fail on a process problem or a
 * country-wide one. A country-wide problem names its country and is found by it.
 */
describe('the area of problems through the API', () => {
  const t = suiteApp('sqlite');
  const { api, cases } = problemsWorld(() => t);

  it('is an object of nulls when no place is known, and names the country of a country-wide one', async () => {
    const [a, b] = await cases(2);
    const none = await api('POST', '/api/v1/problems', { caseId: a.case_id, title: 'Billing run' });
    expect(none.statusCode, none.body).toBe(201);
    const wide = await api('POST', '/api/v1/problems', {
      caseId: b.case_id,
      title: 'Outage everywhere',
      area: { postalCode: null, city: null, region: null, country: 'US' },
    });
    expect(wide.statusCode, wide.body).toBe(201);
    const got = (await api('GET', `/api/v1/problems/${none.json().id}`)).json();
    expect(got.area).toEqual({ postalCode: null, city: null, region: null, country: null });
    const listed = (await api('GET', '/api/v1/problems')).json().items;
    for (const p of listed)
      expect(Object.keys(p.area).sort()).toEqual(['city', 'country', 'postalCode', 'region']);
    for (const q of ['US', 'United%20States']) {
      const found = (await api('GET', `/api/v1/problems?area=${q}`)).json().items;
      expect(found.map((p: { id: string }) => p.id)).toEqual([wide.json().id]);
    }
  });
});
