/**
 * A problem raised on its place's every topic names the topics of its complaints when none has
 * half of them (`Signature.mix`, its title's "Many complaints — …"): at the raise from the
 * complaints it stood out on (the detector), and again, from its stored votes, when its linked
 * complainers settle on one topic (storage's `applyRetopic`).
 */
import type { TopicShare } from './types.js';
import type { Entry } from './window.js';

/**
 * The topics of complaints a place's every-topic key raises a problem on, when none has half of
 * them: the trouble is the place's, not one topic's (a store closing, an outage triage spreads
 * over billing, device and service), and a title naming its most common topic misleads (a Tampa
 * problem titled billing when 38 of its 153 complaints were). Null when one topic has half.
 * `lead`: the problem's topic, first among equal shares.
 */
export function topicMix(members: Entry[], lead: string | null = null): TopicShare[] | null {
  const n = new Map<string, number>();
  for (const m of members) if (m.topic) n.set(m.topic, (n.get(m.topic) ?? 0) + 1);
  return shareMix(n, lead);
}

/**
 * The same from counts per topic (a problem's topic votes, `ProblemBook.settledTopic`): a problem
 * raised on six complaints of four topics in a city, whose next forty complainers mostly named an
 * outage, is that outage's (the demo's San Francisco outage kept "Many complaints — 94110
 * (delivery 33 %, network 33 %, …)" after settling on outage with 30 of its 43 votes).
 */
export function shareMix(
  counts: Iterable<[string, number]>,
  lead: string | null = null,
): TopicShare[] | null {
  const n = [...counts].filter(([, k]) => k > 0);
  const all = n.reduce((s, [, k]) => s + k, 0);
  const mix = n
    .map(([topic, k]) => ({ topic, share: k / all }))
    // (On a tie, the problem's own topic first, so its title names it.)
    .sort(
      (a, b) =>
        b.share - a.share ||
        Number(b.topic === lead) - Number(a.topic === lead) ||
        (a.topic < b.topic ? -1 : 1),
    );
  return mix.length > 0 && mix[0].share < 0.5 ? mix : null;
}
