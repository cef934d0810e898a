/**
 * The raise rule for a word: a significant, persistent burst of a content word is owned by its
 * text cluster, joins the problem of the same trouble found otherwise, or is raised as a text
 * cluster of its own with its burst linked.
 */
import { newId } from '../../platform/ids.js';
import { chainOfKey, countryWide } from './areas.js';
import type { DetectorParts } from './book.js';
import { moveTo, own } from './raise.js';
import { neighbourCluster, sameTrouble } from './same-trouble.js';
import { tightness } from './text.js';
import { clusterOfWord, dominantArea, namesPlace } from './text-place.js';
import type { Decision } from './types.js';

export function testTextKey(
  { config, counts, book }: DetectorParts,
  key: string,
  out: Decision[],
): boolean {
  const ks = counts.keys.get(key)!;
  const owner = book.claiming(book.ownedBy.get(key));
  if (owner) {
    book.refreshEpisode(owner);
    return false;
  }
  const cfg = config.text;
  const hit = counts.significant(ks, cfg.minCustomers, cfg.alpha);
  if (!hit) return false;
  const members = counts.members(ks);
  const linked = members.filter((m) => m.problemId).length;
  if (linked / members.length > cfg.maxLinkedShare) {
    // Its cluster owns it, or those who use only such words are never linked (seed 1's Denver
    // email outage left 303 of its 514 "email server down" complaints alone).
    const cluster = clusterOfWord({ counts, book }, ks);
    if (cluster) own({ config, counts, book }, cluster, key, ks, out);
    return false;
  }
  const tight = tightness(members.map((m) => m.sig!).filter(Boolean));
  if (tight < cfg.minTightness) return false;
  // Its burst (where the word's excess began), not the word's everyday users (text-burst.test.ts).
  const burst = counts.linkable(ks);
  const taken = burst.length > 0 ? burst : members.filter((m) => !m.problemId);
  const area = dominantArea(taken);
  // The same trouble already found under other words or by its place: one problem.
  const twin = sameTrouble(
    { config, counts, book },
    area ? chainOfKey(area.key, area.area) : null,
    null,
    ks,
  );
  if (twin) {
    own({ config, counts, book }, twin, key, ks, out);
    return true;
  }
  const sibling = area ? neighbourCluster({ config, counts, book }, area.key, area.area) : null;
  if (sibling) {
    const chain = chainOfKey(area!.key, area!.area);
    moveTo(
      { config, counts, book },
      sibling.p,
      sibling.common,
      chain,
      area!.area,
      key,
      ks,
      counts.now,
      out,
    );
    return true;
  }
  const term = key.slice(2);
  // A burst of its own place's name ("oakland" in Oakland) is that place's excess, which the
  // place's keys test with a topic; raised by the word, it was a problem no topic names.
  if (area && namesPlace(term, area.area)) return false;
  const problemId = newId();
  out.push({
    type: 'raise',
    problemId,
    kind: 'text',
    topic: null,
    area: area?.area ?? countryWide(taken),
    areaKey: area?.key ?? null,
    keys: [key],
    terms: [term],
    teamId: null,
    at: counts.now,
    firstAt: taken[0]?.at ?? counts.now,
    confirmed: false,
    baseline: hit,
    tightness: tight,
  });
  // Its place's whole chain (city, region), so nested and neighbouring detections can find it.
  const chain = area ? chainOfKey(area.key, area.area) : [];
  book.adopt(problemId, 'text', null, area?.key ?? null, [key], counts.now, false, chain);
  for (const m of taken) out.push(book.linkEntry(problemId, m, 'detected'));
  return true;
}
