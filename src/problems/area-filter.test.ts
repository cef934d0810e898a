import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from './test-world.js';

/**
 * The list's `?area=` read as a place however it is written: a state by its code as by its
 * name (both list the country-wide problems covering it), and "City, CC" for a city abroad,
 * which the 400 for an unknown US city recommends, even when the two letters are also a US
 * state's code (DE is Delaware and Germany, CA California and Canada).
 */
describe.each(ENGINES)('the problem list area filter on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, cases } = problemsWorld(() => t);
  const made = async (area: Record<string, string>) => {
    const [c] = await cases(1);
    const res = await api('POST', '/api/v1/problems', { caseId: c.case_id, area });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const listed = async (area: string) => {
    const res = await api('GET', `/api/v1/problems?area=${encodeURIComponent(area)}&limit=100`);
    expect(res.statusCode, `${area}: ${res.body}`).toBe(200);
    return res.json().items.map((p: { id: string }) => p.id) as string[];
  };

  it('a state by code or by name lists the country-wide problem covering it', async () => {
    const us = await made({ country: 'US' });
    const austin = await made({ city: 'Austin', region: 'TX' });
    for (const [code, name] of [
      ['TX', 'Texas'],
      ['CA', 'California'],
      ['IL', 'Illinois'],
      ['tx', 'texas'],
    ]) {
      const byCode = await listed(code);
      expect(byCode, code).toContain(us);
      expect(byCode.sort(), code).toEqual((await listed(name)).sort());
    }
    expect(await listed('TX')).toContain(austin);
    expect(await listed('CA')).not.toContain(austin);
    for (const place of ['78701', 'Austin, TX']) expect(await listed(place), place).toContain(us);
  });

  it('"City, CC" reads CC as the country when the city is none of that state’s', async () => {
    const berlin = await made({ city: 'Berlin', country: 'DE' });
    const toronto = await made({ city: 'Toronto', country: 'Canada' });
    const la = await made({ city: 'Los Angeles', region: 'CA' });
    const portland = await made({ city: 'Portland', region: 'OR' });
    expect(await listed('Berlin, DE')).toContain(berlin);
    expect(await listed('Toronto, CA')).toContain(toronto);
    expect(await listed('Toronto, CA')).not.toContain(la);
    expect(await listed('Mumbai, IN')).not.toContain(berlin);
    // A city of that state still reads the code as the state.
    const inLa = await listed('Los Angeles, CA');
    expect(inLa).toContain(la);
    expect(inLa).not.toContain(toronto);
    expect(await listed('Portland, OR')).toContain(portland);
    expect(await listed('Berlin, NH')).not.toContain(berlin);
    // A US city named in a state that has none of that name is still the 400 it was.
    const wrong = await api('GET', '/api/v1/problems?area=Austin,%20CA');
    expect(wrong.statusCode, wrong.body).toBe(400);
    expect(wrong.json().error.message).toMatch(/no US city "Austin" in CA/);
    // ... and says how to name a place abroad without the clash.
    expect(wrong.json().error.message).toMatch(/its country by name/);
  });
});
