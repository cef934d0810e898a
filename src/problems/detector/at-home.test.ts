import { describe, expect, it } from 'vitest';
import { extractArea } from '../../triage/area.js';
import type { Area } from '../../triage/index.js';
import { AreaMemory } from './enrich.js';

const place = (text: string) => extractArea(text) as Area;
const where = (a: Area) => [a.city, a.region, a.country];

// QA round 2: on a US desk, "Birmingham" named alone (no profile) was read as England's, and the
// complaints of an outage in Birmingham, Alabama were counted apart from it.
describe('AreaMemory.atHome: a large place abroad named alone, on a US desk', () => {
  it('is the large US namesake for a customer known to be in the US, or on a US desk', () => {
    const memory = new AreaMemory();
    const alone = place('no signal in Birmingham since noon');
    expect(where(alone)).toEqual(['Birmingham', null, 'GB']);
    // Nothing known yet: as triage read it.
    expect(memory.atHome('a', alone)).toBe(alone);
    // A customer who named a US place before.
    memory.learn('a', null, null, place('no signal in Austin, TX'));
    expect(where(memory.atHome('a', alone))).toEqual(['Birmingham', 'AL', 'US']);
    // A desk whose placed traffic is in the US.
    for (let i = 0; i < 60; i++) memory.learn(`c${i}`, null, null, place('outage in 94110'));
    expect(where(memory.atHome('new', alone))).toEqual(['Birmingham', 'AL', 'US']);
    expect(where(memory.atHome('new', place('#Birmingham internet down')))).toEqual([
      'Birmingham',
      'AL',
      'US',
    ]);
  });

  it('leaves a place named with its country, a small namesake, and a desk abroad alone', () => {
    const memory = new AreaMemory();
    for (let i = 0; i < 60; i++) memory.learn(`c${i}`, null, null, place('outage in 94110'));
    const uk = place('no signal in Birmingham, UK');
    expect(memory.atHome('new', uk)).toBe(uk);
    const manchester = place('no signal in Manchester');
    expect(memory.atHome('new', manchester)).toBe(manchester);
    // A customer known to be in England.
    memory.learn('leeds', null, null, place('no signal in Leeds'));
    const alone = place('no signal in Birmingham');
    expect(memory.atHome('leeds', alone)).toBe(alone);
    // A desk whose traffic is mostly British.
    const british = new AreaMemory();
    for (let i = 0; i < 60; i++) british.learn(`c${i}`, null, null, place('no signal in Leeds'));
    expect(british.atHome('new', alone)).toBe(alone);
  });
});
