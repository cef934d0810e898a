import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import type { Counts } from './counts.js';
import type { Decision, Detector } from './detector.js';
import { CITIES, complain, MIN, raises, unflagged, warmed } from './test-fixtures.js';

const AUSTIN = CITIES[2];
const SEATTLE = CITIES[5];

/*
 * Outside-style QA set, desk high-swing: during a 2,000-customer Florida outage triage scored
 * "Whole street lost internet in Tampa FL" 0.31 and "modem keeps saying no sync around 32202"
 * 0.38, under its 0.4 threshold. Not complaints, they were linked only by three of the
 * problem's words, and most were left out: their customers were never told of the fix. A
 * message naming a place inside a live problem's, of a topic that would link a complaint there,
 * is that trouble's (linked, never counted).
 */
function note(det: Detector, id: string, at: number, area: Area | null, topic: string) {
  return unflagged(det, id, at, area, topic, `whole street lost it ${id}`);
}

describe('problem detector: a message triage did not flag', () => {
  it('joins the live problem of its place and topic, and nothing elsewhere', () => {
    const { det, out, start } = warmed();
    for (let i = 0; i < 12; i++) out.push(...complain(det, `au-${i}`, start + i * MIN, AUSTIN));
    const outage = raises(out);
    expect(outage).toHaveLength(1);
    const id = outage[0].problemId;
    const at = start + 15 * MIN;
    const links = (ds: Decision[]) =>
      ds.filter((d) => d.type === 'link' && d.problemId === id).map((d) => d.type);
    // In its place, of its topic: linked, with no topic vote (not a complaint).
    const here = note(det, 'here', at, AUSTIN, 'outage');
    expect(links(here)).toEqual(['link']);
    const link = here.find((d) => d.type === 'link');
    expect(link?.type === 'link' && link.member.topic).toBeNull();
    // Another place, another topic there, or no place, none of its words and another topic:
    // not linked.
    expect(links(note(det, 'away', at + 10_000, SEATTLE, 'outage'))).toEqual([]);
    expect(links(note(det, 'bill', at + 20_000, AUSTIN, 'billing'))).toEqual([]);
    expect(links(note(det, 'none', at + 30_000, null, 'network'))).toEqual([]);
    // Not counted: the problem's place still counts its twelve complainers only.
    const { counts } = det as unknown as { counts: Counts };
    expect(counts.keys.get(`outage@${outage[0].areaKey}`)?.windows[0].size).toBe(12);
  });

  /*
   * The same outage's customers naming no place wrote "whole street lost internet" and "home
   * internet is out", and triage called neither a complaint: 96 of the 157 Florida complaints
   * its problem missed. Such a message joins as a complaint naming no place would: through its
   * topic's country-wide key, while that key is mostly the problem's excess and its place goes on.
   */
  it('naming no place, joins as a complaint naming none would', () => {
    const { det, out, start } = warmed();
    for (let i = 0; i < 12; i++) out.push(...complain(det, `au-${i}`, start + i * MIN, AUSTIN));
    const [outage] = raises(out);
    const linked = (ds: Decision[]) =>
      ds.some((d) => d.type === 'link' && d.problemId === outage.problemId);
    const at = start + 15 * MIN;
    // The country's outage key is all Austin's excess: linked, and not counted there.
    expect(linked(note(det, 'street', at, null, 'outage'))).toBe(true);
    const { counts } = det as unknown as { counts: Counts };
    expect(counts.keys.get('outage@all')?.windows[0].size).toBe(12);
    // A complaint naming none of the same words and topic would have joined too.
    expect(linked(complain(det, 'plain', at + 10_000, null))).toBe(true);
    // Hours after Austin's last complaint its place is quiet: no longer its trouble's.
    expect(linked(note(det, 'late', start + 6 * 60 * MIN, null, 'outage'))).toBe(false);
  });

  /*
   * Outside-style set, draw b, desk high-swing: the problems of a phone update's trouble (found
   * by its words) and of the Florida outage held 57 cases of background customers who had only
   * praised, in the trouble's words ("love the new app update, so much cleaner", "fastest
   * internet I have ever had, love it"). Praise is nobody's trouble.
   */
  it('never takes praise, whatever its words', () => {
    const { det, start } = warmed({ text: DEFAULT_DETECTOR_CONFIG.text });
    const burst: Decision[] = [];
    for (let i = 0; i < 30; i++) {
      const text = 'my phone clock jumped an hour ahead after the update';
      burst.push(...complain(det, `clock-${i}`, start + i * MIN, null, 'other', text));
    }
    const [trouble] = raises(burst);
    expect(trouble).toBeDefined();
    const linked = (ds: Decision[]) =>
      ds.some((d) => d.type === 'link' && d.problemId === trouble.problemId);
    const at = start + 31 * MIN;
    const praise = 'love the new clock after the update, it jumped right to my time zone';
    expect(linked(unflagged(det, 'fan', at, null, 'praise', praise))).toBe(false);
    // Told of the trouble in its words, not flagged, under another topic: its trouble's.
    const told = 'phone clock jumped an hour after the update';
    expect(linked(unflagged(det, 'told', at + 1000, null, 'device', told))).toBe(true);
  });
});
