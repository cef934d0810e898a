import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import {
  background,
  CITIES,
  complain,
  HOUR,
  linkedTo,
  MIN,
  raises,
  warmed,
} from './test-fixtures.js';

const AUSTIN = CITIES[2];

/**
 * A problem a person acted on (here: fixed, then put back to `fixing` by a few customers' "still
 * down") stays open until a person closes it. Its trouble can still be over: a later excess of
 * its place is a problem of its own, not more of the old one's.
 */
describe('a problem a person works on', () => {
  const outage = (det: ReturnType<typeof warmed>['det'], tag: string, from: number, n = 12) => {
    const out: Decision[] = [];
    for (let i = 0; i < n; i++)
      out.push(...complain(det, `${tag}-${i}`, from + i * 4 * MIN, AUSTIN));
    return out;
  };
  const heldByPerson = (det: ReturnType<typeof warmed>['det']) =>
    det.syncProblems(
      det.problemViews().map((v) => ({ ...v, status: 'fixing', fixedAt: null, human: true })),
    );

  it('draws its trouble while it goes on', () => {
    const { det, out, start } = warmed();
    out.push(...outage(det, 'a', start));
    const first = raises(out);
    expect(first).toHaveLength(1);
    heldByPerson(det);
    const more = outage(det, 'b', start + 50 * MIN, 8);
    expect(raises(more)).toHaveLength(0);
    expect(linkedTo(more, first[0].problemId).size).toBe(8);
  });

  it('does not take a trouble of its place days after its own subsided', () => {
    const { det, out, start } = warmed();
    out.push(...outage(det, 'a', start));
    const first = raises(out);
    expect(first).toHaveLength(1);
    heldByPerson(det);
    // Three ordinary days: the place's usual complaints, of every topic.
    const later = start + 3 * 24 * HOUR;
    background(det, start + HOUR, later, out, 'days');
    const again = outage(det, 'c', later);
    const second = raises(again);
    expect(second).toHaveLength(1);
    expect(second[0].problemId).not.toBe(first[0].problemId);
    expect(linkedTo(again, first[0].problemId).size).toBe(0);
  });
});
