import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { etaPhrase } from './problem.settings.js';
import { patchProblemSettings, problemsWorld } from './test-world.js';

/*
 * What the problem write routes take in: settings whose templates and owner rules would then
 * misbehave, hand-made areas that are no place, titles of nothing or of terminal codes. Each is
 * a 400 saying what is wrong, and nothing is stored.
 */
describe.each(ENGINES)('problem inputs on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, cases } = problemsWorld(() => t);
  const patch = (payload: unknown) => patchProblemSettings(t, payload);

  it('settings: blank or unbalanced templates and bad owner rules are 400s naming the fault', async () => {
    const before = (await api('GET', '/api/v1/problem-settings')).json();
    const refused: [unknown, RegExp][] = [
      [{ fixedTemplate: '' }, /fixedTemplate/],
      [{ fixedTemplate: '   ' }, /fixedTemplate: must not be blank/],
      [{ updateTemplate: 'Hi {{status}} {status' }, /updateTemplate: unbalanced braces/],
      [{ updateTemplate: 'Hi {status' }, /updateTemplate: unbalanced braces/],
      [{ ownerRules: [{ team: 'Billing', topic: 'bogus' }] }, /ownerRules\/0\/topic/],
      [
        { ownerRules: [{ team: 'Billing', topic: 'billing', areaPrefix: 'US:ZZ', extra: 1 }] },
        /has no field "extra"/,
      ],
      [{ ownerRules: [{ team: '' }] }, /ownerRules\/0\/team/],
      [{ ownerRules: [{ team: '  ' }] }, /ownerRules\/0\/team: must not be blank/],
      [{ ownerRules: [{ team: 5 }] }, /body\/ownerRules\/0\/team must be string/],
      [{ ownerRules: [{ team: 'Nobody here' }] }, /no team named "Nobody here"/],
    ];
    for (const [payload, message] of refused) {
      const res = await patch(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.message, JSON.stringify(payload)).toMatch(message);
    }
    expect((await api('GET', '/api/v1/problem-settings')).json()).toEqual(before);
    const ok = await patch({ ownerRules: [{ topic: 'billing', team: 'billing' }] });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('a hand-made area that is no place, or two places, is a 400', async () => {
    const refused: [unknown, RegExp][] = [
      [{ postalCode: '94110', city: 'Austin', region: 'TX' }, /area\.region: ZIP code 94110/],
      [{ postalCode: '94110', city: 'Austin' }, /area\.city: ZIP code 94110/],
      [{ postalCode: 'ZZZZZ', country: 'Narnia' }, /area\.country: unknown country "Narnia"/],
      [{ postalCode: 'ZZZZZ' }, /area\.postalCode/],
      [{ city: 'x'.repeat(100_000) }, /city/],
      [{ postalCode: 94110 }, /body\/area\/postalCode must be/],
      [{ city: 'Austin', region: 'CA' }, /area\.city: no US city "Austin" in CA/],
      [{ region: 'Narnia' }, /area\.region/],
      [{ postalCode: '94110', country: 'GB' }, /area\.postalCode: "94110" is not a UK postcode/],
      // A US state in Canada (by code or name), or by name anywhere abroad.
      [
        { city: 'Austin', region: 'TX', country: 'Canada' },
        /area\.region: TX is a US state, not in CA/,
      ],
      [{ region: 'Texas', country: 'CA' }, /area\.region: Texas is a US state, not in CA/],
      [{ city: 'Berlin', region: 'Ohio', country: 'DE' }, /area\.region: Ohio is a US state/],
    ];
    for (const [area, message] of refused) {
      const [c] = await cases(1);
      const res = await api('POST', '/api/v1/problems', { caseId: c.case_id, area });
      expect(res.statusCode, JSON.stringify(area).slice(0, 80)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
    const [c] = await cases(1);
    const ok = await api('POST', '/api/v1/problems', {
      caseId: c.case_id,
      area: { postalCode: '11201', city: 'New York', country: 'United States' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().area).toEqual({
      postalCode: '11201',
      city: 'New York',
      region: 'NY',
      country: 'US',
    });
    const [d] = await cases(1);
    const uk = await api('POST', '/api/v1/problems', {
      caseId: d.case_id,
      area: { postalCode: 'SW1A 1AA', city: 'London', country: 'GB' },
    });
    expect(uk.statusCode, uk.body).toBe(201);
    // Two letters that are a state's code name the country's own region elsewhere (Western
    // Australia), and a province is Canada's.
    for (const area of [
      { city: 'Perth', region: 'WA', country: 'AU' },
      { city: 'Toronto', region: 'ON', country: 'Canada' },
      { city: 'Toronto', region: 'Ontario', country: 'Canada' },
      { city: 'Montreal', region: 'Quebec', country: 'CA' },
    ]) {
      const [e] = await cases(1);
      const res = await api('POST', '/api/v1/problems', { caseId: e.case_id, area });
      expect(res.statusCode, res.body).toBe(201);
    }
  });

  it('a title of spaces is a 400; control characters and terminal codes are dropped', async () => {
    const [a, b] = await cases(2);
    const blank = await api('POST', '/api/v1/problems', { caseId: a.case_id, title: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.message).toBe('title: must not be blank');
    const junk = await api('POST', '/api/v1/problems', {
      caseId: b.case_id,
      title: 'Fibre cut\u0007\u001b[31m in Austin\u001b[0m',
    });
    expect(junk.statusCode, junk.body).toBe(201);
    expect(junk.json().title).toBe('Fibre cut in Austin');
  });
});

describe('the ETA as customers read it', () => {
  const now = Date.UTC(2026, 11, 30, 12);
  it('names the year of an ETA in another year, not of one in this year', () => {
    expect(etaPhrase(Date.UTC(2027, 0, 1, 0, 0), now, 'fixing')).toBe(
      ' We expect it fixed by Fri 1 Jan 2027, 00:00 UTC.',
    );
    expect(etaPhrase(Date.UTC(2026, 11, 31, 9, 30), now, 'fixing')).toBe(
      ' We expect it fixed by Thu 31 Dec, 09:30 UTC.',
    );
  });
});
