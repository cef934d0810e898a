import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { resolveOwner } from './owner.js';
import { loadProblemSettings } from './problem.settings.js';
import { patchProblemSettings, problemsWorld } from './test-world.js';

/**
 * Owner rules route problems of a place to a team. The place is written as the list's `area`
 * filter reads one ("TX", "Austin, TX", "78701", "Canada"), checked when saved, and a rule
 * matches problems in that place or inside it: a state's rule takes its cities and ZIP codes.
 * An `areaPrefix` once compared the text with the detector's internal keys, so "US:TX" was
 * saved and never matched anything.
 */
describe.each(ENGINES)('owner rules by area on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, ws, api, cases } = problemsWorld(() => t);
  const patch = (payload: unknown) => patchProblemSettings(t, payload);
  /** A problem made by hand from a new case, with no topic (so only area rules apply). */
  const made = async (area: Record<string, string>) => {
    const [c] = await cases(1);
    const res = await api('POST', '/api/v1/problems', { caseId: c.case_id, area });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; owner: string | null };
  };

  it('a state given by code or name owns its cities and ZIP codes; the rule is stored readable', async () => {
    const res = await patch({
      ownerRules: [
        { team: 'Field services', area: 'Texas' },
        { team: 'Billing', area: 'Toronto, CA' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().ownerRules).toEqual([
      { team: 'Field services', area: 'TX' },
      { team: 'Billing', area: 'Toronto, Canada' },
    ]);
    expect((await api('GET', '/api/v1/problem-settings')).json().ownerRules).toEqual(
      res.json().ownerRules,
    );
    expect((await made({ city: 'Austin', region: 'TX' })).owner).toBe('Field services');
    expect((await made({ postalCode: '78701' })).owner).toBe('Field services');
    expect((await made({ region: 'TX' })).owner).toBe('Field services');
    expect((await made({ city: 'Toronto', country: 'CA' })).owner).toBe('Billing');
    expect((await made({ city: 'Denver', region: 'CO' })).owner).toBeNull();
    // A country-wide problem is not the state's: it covers other states too.
    expect((await made({ country: 'US' })).owner).toBeNull();
    // The detector's problems are owned the same way (its ZIP-level key never began "r:US:TX").
    const settings = await loadProblemSettings(db(), ws());
    const owner = await resolveOwner(db(), ws(), settings, {
      topic: 'network',
      area: { postalCode: '78702', city: 'Austin', region: 'TX', country: 'US' },
      areaKey: 'p:US:78702',
      teamId: null,
    });
    expect(owner.name).toBe('Field services');
  });

  it('a rule for a ZIP code or a city takes nothing around it', async () => {
    const res = await patch({
      ownerRules: [
        { team: 'Devices', area: '78701' },
        { team: 'Billing', area: 'Austin, TX' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().ownerRules.map((r: { area: string }) => r.area)).toEqual([
      '78701, Austin, TX',
      'Austin, TX',
    ]);
    expect((await made({ postalCode: '78701' })).owner).toBe('Devices');
    expect((await made({ postalCode: '78702' })).owner).toBe('Billing');
    expect((await made({ city: 'Austin', region: 'TX' })).owner).toBe('Billing');
    expect((await made({ region: 'TX' })).owner).toBeNull();
  });

  it('a place no one knows is a 400 naming it, and nothing is stored', async () => {
    const before = (await api('GET', '/api/v1/problem-settings')).json();
    for (const [rule, message] of [
      [{ area: 'Narnia!!' }, /ownerRules\/0\/area: no known place "Narnia!!"/],
      [{ areaPrefix: 'US:TX' }, /ownerRules\/0\/areaPrefix: no known place "US:TX"/],
      [{ area: 'Austin, CA' }, /ownerRules\/0\/area: .*no US city "Austin" in CA/],
      [{ area: 'TX', areaPrefix: 'r:US:TX' }, /ownerRules\/0: give area only/],
    ] as const) {
      const res = await patch({ ownerRules: [{ team: 'Billing', ...rule }] });
      expect(res.statusCode, JSON.stringify(rule)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
    expect((await api('GET', '/api/v1/problem-settings')).json()).toEqual(before);
  });

  it('rules saved with the old key form read as their place', async () => {
    // As an earlier release stored them: the detector's area keys, matched as text prefixes.
    const stored = {
      ownerRules: [
        { team: 'Devices', areaPrefix: 't:US:TX:austin' },
        { team: 'Field services', areaPrefix: 'r:US:TX' },
        { team: 'Billing', areaPrefix: 'p:US:941' },
      ],
    };
    expect((await patch({ ownerRules: [] })).statusCode).toBe(200);
    await db()
      .updateTable('problem_settings')
      .set({ settings_json: JSON.stringify(stored) })
      .where('workspace_id', '=', ws())
      .execute();
    const got = (await api('GET', '/api/v1/problem-settings')).json().ownerRules;
    // A ZIP range names no place: it stays as it was, matched as before.
    expect(got).toEqual([
      { team: 'Devices', area: 'Austin, TX' },
      { team: 'Field services', area: 'TX' },
      { team: 'Billing', areaPrefix: 'p:US:941' },
    ]);
    expect((await made({ postalCode: '78701' })).owner).toBe('Devices');
    expect((await made({ city: 'Houston', region: 'TX' })).owner).toBe('Field services');
    expect((await made({ postalCode: '94110' })).owner).toBe('Billing');
    // Given again in the old form, a key that names a place is stored as that place.
    const res = await patch({ ownerRules: [{ team: 'Devices', areaPrefix: 'r:US:CA' }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().ownerRules).toEqual([{ team: 'Devices', area: 'CA' }]);
    expect((await made({ city: 'Los Angeles', region: 'CA' })).owner).toBe('Devices');
  });
});
