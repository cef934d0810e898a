import { describe, expect, it } from 'vitest';
import { ETA_NEWS_MIN_MOVE_MS, etaIsNews } from './eta-news.js';
import {
  acknowledgementText,
  DEFAULT_PROBLEM_SETTINGS,
  etaPhrase,
  noticeText,
  type ProblemSettings,
  subjectPhrase,
} from './problem.settings.js';

const NOW = Date.parse('2026-12-02T09:00:00Z');
const HOUR = 3_600_000;
const STATUSES = ['suspected', 'confirmed', 'fixing', 'fixed', 'verified', 'closed'];
const problem = (status: string, eta: number | null = null) => ({
  title: 'network — Austin',
  topic: 'network',
  area_json: JSON.stringify({ postalCode: null, city: 'Austin', region: 'TX', country: 'US' }),
  status,
  eta_at: eta,
});
/** Our lifecycle's names as jargon: "confirmed" and "fixed" are plain words customers use too. */
const JARGON = /\b(?:suspected|fixing|verified|closed|status:)/i;

describe('what customers read about a problem', () => {
  it('a past ETA is no promise: no time gone by, but that it takes longer than expected', () => {
    const yesterday = NOW - 20 * HOUR;
    expect(etaPhrase(yesterday, NOW, 'fixing')).toBe(
      ' It is taking longer than we expected; we will keep you posted.',
    );
    const ack = acknowledgementText(DEFAULT_PROBLEM_SETTINGS, problem('fixing', yesterday), NOW);
    expect(ack).not.toMatch(/expect it fixed by|Tue 1 Dec|13:00/);
    expect(ack).toContain('taking longer than we expected');
    const update = noticeText(
      DEFAULT_PROBLEM_SETTINGS,
      problem('confirmed'),
      'confirmed',
      'Crews are on site',
      yesterday,
      NOW,
    );
    expect(update).toBe(
      'Update on the network problem in Austin, TX: We have confirmed it and our team is on it. Crews are on site. It is taking longer than we expected; we will keep you posted.',
    );
    // A future one is the expected fix time.
    expect(etaPhrase(NOW + HOUR, NOW, 'fixing')).toBe(' We expect it fixed by 10:00 UTC.');
  });

  it("a suspected problem's acknowledgement says we are looking into reports, not its status", () => {
    expect(acknowledgementText(DEFAULT_PROBLEM_SETTINGS, problem('suspected'), NOW)).toBe(
      'Thanks for telling us. We know about the network problem in Austin, TX. We are looking into reports of it.',
    );
  });

  it.each(STATUSES)('no status name as jargon in any default text for a %s problem', (status) => {
    const texts = [
      acknowledgementText(DEFAULT_PROBLEM_SETTINGS, problem(status, NOW + 5 * HOUR), NOW),
      noticeText(DEFAULT_PROBLEM_SETTINGS, problem(status), status, 'Crews are on it', NOW, NOW),
      noticeText(DEFAULT_PROBLEM_SETTINGS, problem(status), status, '', NOW + HOUR, NOW, true),
    ];
    for (const t of texts) expect(t).not.toMatch(JARGON);
  });

  it('{status} in a template of their own is plain words too', () => {
    const own: ProblemSettings = {
      ...DEFAULT_PROBLEM_SETTINGS,
      acknowledgementTemplate: 'We know about {title} in {area} — status: {status}.{eta}',
    };
    const words = STATUSES.filter((s) => s !== 'fixed' && s !== 'verified').map((s) =>
      acknowledgementText(own, problem(s), NOW),
    );
    expect(words).toEqual([
      'We know about network — Austin in Austin, TX — status: under investigation.',
      'We know about network — Austin in Austin, TX — status: confirmed.',
      'We know about network — Austin in Austin, TX — status: being fixed.',
      'We know about network — Austin in Austin, TX — status: resolved.',
    ]);
  });
});

describe('an ETA change on its own is news when', () => {
  const at = NOW + 5 * HOUR;
  const cases: [string, number | null, number | null | undefined, string, boolean][] = [
    ['first set', null, at, 'fixing', true],
    ['first set while suspected', null, at, 'suspected', true],
    ['moved later by half an hour', at, at + ETA_NEWS_MIN_MOVE_MS, 'fixing', true],
    ['moved later by a day', at, at + 24 * HOUR, 'confirmed', true],
    ['set again after the one told had passed', NOW - HOUR, NOW + 10 * 60_000, 'fixing', true],
    ['nudged later by 10 minutes (no)', at, at + 10 * 60_000, 'fixing', false],
    ['moved earlier (no)', at, at - 2 * HOUR, 'fixing', false],
    ['cleared (no)', at, null, 'fixing', false],
    ['not changed at all (no)', at, undefined, 'fixing', false],
    ['set on a fixed problem (no)', null, at, 'fixed', false],
    ['set on a closed problem (no)', null, at, 'closed', false],
  ];
  it.each(cases)('%s', (_, before, after, status, news) => {
    expect(etaIsNews(before, after, status, NOW)).toBe(news);
  });

  it("names the trouble in plain words, never the desk's working title", () => {
    const area = (a: Record<string, string | null>) => JSON.stringify(a);
    expect(
      subjectPhrase({ topic: 'outage', area_json: area({ city: 'Austin', region: 'TX' }) }),
    ).toBe('the outage in Austin, TX');
    expect(subjectPhrase({ topic: 'billing', area_json: null })).toBe('the billing problem');
    expect(subjectPhrase({ topic: null, area_json: area({ postalCode: '94110' }) })).toBe(
      'the problem in 94110',
    );
    // A country-wide problem names no place ("in US").
    expect(
      subjectPhrase({ topic: 'network', area_json: area({ country: 'US', region: null }) }),
    ).toBe('the network problem');
    // A title a person wrote is theirs to give customers.
    expect(
      subjectPhrase({ title: 'the fibre cut on Main St', topic: 'outage', area_json: null }),
    ).toBe('the fibre cut on Main St');
    expect(subjectPhrase({ title: 'the fibre cut on Main St (split)', topic: null })).toBe(
      'the fibre cut on Main St',
    );
    // A text cluster's title quotes its terms; customers read none of it.
    const cluster = {
      title: 'Many similar complaints: "voicemail greeting" — everywhere',
      topic: null,
      area_json: null,
      status: 'suspected',
      eta_at: null,
    };
    const ack = acknowledgementText(DEFAULT_PROBLEM_SETTINGS, cluster, NOW);
    expect(ack).toBe(
      'Thanks for telling us. We know about the problem. We are looking into reports of it.',
    );
    expect(noticeText(DEFAULT_PROBLEM_SETTINGS, cluster, 'fixed', '', null, NOW)).toMatch(
      /^Good news: the problem is fixed\./,
    );
  });
});
