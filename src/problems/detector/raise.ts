import { newId } from '../../platform/ids.js';
import type { Area } from '../../triage/index.js';
import { ALL, areaAtLevel, areaChain, chainOfKey } from './areas.js';
import type { DetectorParts } from './book.js';
import type { DetectorConfig } from './config.js';
import { ANY_TOPIC, type Counts } from './counts.js';
import { related } from './link.js';
import { mode } from './stats.js';
import { kinship, tightness } from './text.js';
import type { Complaint, Decision, ProblemView } from './types.js';
import type { Entry, KeyState } from './window.js';

export function testAreaKey(
  parts: DetectorParts,
  key: string,
  areaKey: string,
  c: Complaint,
  out: Decision[],
) {
  const { config, counts, book } = parts;
  const ks = counts.keys.get(key)!;
  const owner = book.claiming(book.ownedBy.get(key));
  if (owner) {
    book.refreshEpisode(owner);
    if (owner.status === 'suspected') {
      const strong = counts.significant(ks, config.minCustomers * 3, config.strongAlpha, true);
      if (strong) {
        out.push({ type: 'confirm', problemId: owner.id, at: c.at, baseline: strong });
        owner.status = 'confirmed';
      }
    }
    return;
  }
  const hit = counts.significant(ks, config.minCustomers, config.alpha);
  if (!hit) return;
  // Many of this key's recent complainers already belong to one live problem: the excess is
  // that trouble's spill-over into a confused topic or a wider place, whenever it began.
  const holder = book.holder(ks);
  if (holder) {
    own(parts, holder, key, ks, out);
    return;
  }
  const chain = chainOfKey(areaKey, c.area);
  // One root cause, one problem: a nested detection of the same topic is the same problem
  // seen from another level; a related topic in the same or a nested area is triage's topic
  // confusion around it (except country-wide, where unrelated troubles do coincide).
  for (const p of book.problems.values()) {
    // A fixed problem still takes its own trouble's stragglers (the keys it owns, complaints
    // on arrival), but a new excess in its area is not its trouble any more: hours after a
    // region's phones were fixed, an outage in one of its cities is another problem.
    if (p.status === 'fixed') continue;
    // A young text cluster in the same place is this trouble already, found by its words.
    if (
      p.kind === 'text' &&
      p.areaKey &&
      areaKey !== ALL &&
      book.drawing(p) &&
      counts.now - p.detectedAt <= config.mergeWindowMs &&
      (chain.includes(p.areaKey) || p.chain.includes(areaKey))
    ) {
      own(parts, p, key, ks, out);
      return;
    }
    if (!book.drawing(p) || p.kind !== 'area' || !p.topic || !p.areaKey) continue;
    if (!related(config, p.topic, ks.topic!)) continue;
    const isNested = chain.includes(p.areaKey) || p.chain.includes(areaKey);
    if (!isNested) {
      // Neighbouring places with excesses of one topic that began together: one trouble of
      // the larger area (a state's outage first seen in two of its cities) — the problem
      // widens to the places' common area.
      const common = p.chain.find((k) => chain.includes(k));
      if (!common || counts.now - p.detectedAt > config.mergeWindowMs) continue;
      // A group or every-topic excess names its complaints' most common topic.
      if (p.topic !== namedTopic(counts.members(ks), ks.topic!)) continue;
      // Two places of different states have only the country in common: one country-wide
      // trouble shows beyond them too, two local ones of one topic do not.
      if (
        common === ALL &&
        !counts.excessBeyond(groupTopics(config, p.topic), [p.areaKey, areaKey]) &&
        !thirdPlace(parts, p, chain)
      )
        continue;
      moveTo(parts, p, common, chain, c.area, key, ks, c.at, out);
      return;
    }
    if (p.topic !== ks.topic && areaKey === ALL) {
      // A country-wide excess of a topic while a local problem of it is young: the local
      // trouble's complaints that name no place (they count only country-wide).
      if (p.areaKey !== ALL && counts.now - p.detectedAt <= config.mergeWindowMs) return;
      continue;
    }
    if (p.areaKey === ALL && areaKey !== ALL) {
      // A country-wide detection that turns out to be local: the problem gets its place —
      // when the local excess is of the problem's own topic and began with it (a local
      // outage under a country-wide device problem is another root cause).
      if (topicShare(counts.members(ks), p.topic) < 0.25) continue;
      if (counts.now - p.detectedAt > config.mergeWindowMs) continue;
      // Unless it already took excesses of other places: then it is country-wide indeed, and
      // this place is one more of them.
      if (spansOtherPlaces(p, chain)) {
        own(parts, p, key, ks, out);
        return;
      }
      moveTo(parts, p, areaKey, chain, c.area, key, ks, c.at, out);
      return;
    }
    if (p.areaKey === areaKey && p.topic !== ks.topic) own(parts, p, key, ks, out);
    return;
  }
  const twin = sameTrouble(parts, areaKey === ALL ? null : chain, ks.topic, ks);
  if (twin) {
    own(parts, twin, key, ks, out);
    return;
  }
  const problemId = newId();
  const members = counts.members(ks);
  // A group or every-topic key names the topic most of its complaints have, if one has most.
  const topic = namedTopic(members, ks.topic!);
  const confirmed = hit.observed >= config.minCustomers * 3 && hit.pValue <= config.strongAlpha;
  out.push({
    type: 'raise',
    problemId,
    kind: 'area',
    topic,
    area: areaKey === ALL ? null : areaAtLevel(c.area, areaKey),
    areaKey,
    keys: [key],
    terms: [],
    teamId: null,
    at: c.at,
    firstAt: members[0]?.at ?? c.at,
    confirmed,
    baseline: hit,
    tightness: null,
  });
  book.adopt(problemId, 'area', topic, areaKey, [key], c.at, confirmed, chain);
  for (const m of counts.linkable(ks))
    if (!m.problemId) out.push(book.linkEntry(problemId, m, 'detected'));
}

/**
 * The problem's place becomes `place` (a common wider area, or a country-wide problem's real
 * place): `chain` is the chain of the detection that showed it, `area` that detection's area.
 */
function moveTo(
  parts: DetectorParts,
  p: ProblemView,
  place: string,
  chain: string[],
  area: Pick<Area, 'postalCode' | 'city' | 'region' | 'country'> | null,
  key: string,
  ks: KeyState,
  at: number,
  out: Decision[],
) {
  out.push({
    type: 'refine',
    problemId: p.id,
    at,
    areaKey: place,
    area: areaAtLevel(area, place),
    key,
  });
  p.areaKey = place;
  p.chain = chain.slice(chain.indexOf(place));
  own(parts, p, key, ks, out);
}

/** The problem takes over a key (a confused topic in its place) and the key's complaints. */
export function own(
  { counts, book }: DetectorParts,
  p: ProblemView,
  key: string,
  ks: KeyState,
  out: Decision[],
) {
  if (!p.keys.includes(key)) {
    out.push({ type: 'own', problemId: p.id, key });
    p.keys.push(key);
  }
  book.ownedBy.set(key, p.id);
  for (const m of counts.linkable(ks)) {
    if (!m.problemId) out.push(book.linkEntry(p.id, m, 'merged'));
  }
}

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
  if (linked / members.length > cfg.maxLinkedShare) return false;
  const tight = tightness(members.map((m) => m.sig!).filter(Boolean));
  if (tight < cfg.minTightness) return false;
  const area = dominantArea(members);
  // The same trouble already found under other words or by its place: one problem.
  const twin = sameTrouble(
    { config, counts, book },
    area ? chainOfKey(area.key, area.area) : null,
    null,
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
  const problemId = newId();
  const term = key.slice(2);
  out.push({
    type: 'raise',
    problemId,
    kind: 'text',
    topic: null,
    area: area?.area ?? null,
    areaKey: area?.key ?? null,
    keys: [key],
    terms: [term],
    teamId: null,
    at: counts.now,
    firstAt: members[0]?.at ?? counts.now,
    confirmed: false,
    baseline: hit,
    tightness: tight,
  });
  // Its place's whole chain (city, region), so nested and neighbouring detections can find it.
  const chain = area ? chainOfKey(area.key, area.area) : [];
  book.adopt(problemId, 'text', null, area?.key ?? null, [key], counts.now, false, chain);
  for (const m of members) if (!m.problemId) out.push(book.linkEntry(problemId, m, 'detected'));
  return true;
}

/**
 * A live problem this excess is most likely the same trouble as: one that began within
 * `mergeWindowMs` in a compatible place — nested areas, or both without one (a country-wide
 * problem counts as without). Two independent rare excesses seldom start together in one place,
 * so a second detection then is the same root cause found another way (other words of one
 * trouble, its place through confused topics): it joins that problem instead of opening one.
 */
function sameTrouble(
  { config, counts, book }: DetectorParts,
  chain: string[] | null,
  topic: string | null,
  excess?: KeyState,
): ProblemView | null {
  let best: ProblemView | null = null;
  for (const p of book.problems.values()) {
    if (p.kind === 'process' || p.status === 'closed' || p.status === 'fixed') continue;
    if (book.episodeOver(p)) continue;
    // Its last complaint was recent: the trouble's tail (or its return) is still its own.
    const recent = counts.now - p.lastEventAt <= config.liveQuietMs;
    if (!book.drawing(p) && !recent) continue;
    const placed = !!p.areaKey && p.areaKey !== ALL;
    const young = counts.now - p.detectedAt <= config.mergeWindowMs;
    if (chain && placed) {
      // In one place: while young whatever the topic (triage confuses them); later when the
      // topics are related and its own trouble goes on (its key still mostly excess) or its
      // last complaint was recent.
      if (!(chain.includes(p.areaKey!) || p.chain.includes(chain[0]))) continue;
      // A later excess concentrated in a smaller place inside it began on its own (a wider
      // trouble's tail does not gather in one of its cities).
      if (!young && chain[0] !== p.areaKey && chain.includes(p.areaKey!)) continue;
      if (!young && topic && p.topic && !related(config, p.topic, topic)) continue;
      if (!young && !recent && counts.excess(p.keys[0]).share < config.linkPosterior) continue;
    } else {
      if (!young || !book.drawing(p)) continue;
      // An excess of an unrelated topic while a young problem goes on: the same trouble under
      // a confused topic reads like the problem's complaints; a coincidence (shipments late
      // everywhere while Denver's phones fail, a Miami billing error during a country-wide
      // delivery delay) does not.
      const named = excess && topic ? namedTopic(counts.members(excess), topic) : null;
      // (A text cluster names no topic: any topic's excess must read like it.)
      const unrelated = excess && named && (!p.topic || !related(config, p.topic, named));
      if (unrelated && !readsAlike(config, counts, excess, p)) continue;
    }
    if (!best || p.detectedAt < best.detectedAt) best = p;
  }
  return best;
}

/**
 * A young text cluster of a neighbouring place (another city of the same region): a new kind of
 * trouble found by its words in two of a region's cities at once is one trouble of the region, as
 * for area problems of one topic. Returns the problem and the places' common area.
 */
function neighbourCluster(
  { config, counts, book }: DetectorParts,
  areaKey: string,
  area: Pick<Area, 'postalCode' | 'city' | 'region' | 'country'>,
): { p: ProblemView; common: string } | null {
  const chain = chainOfKey(areaKey, area);
  for (const p of book.problems.values()) {
    if (p.kind !== 'text' || !p.areaKey || p.areaKey === ALL || !book.drawing(p)) continue;
    if (counts.now - p.detectedAt > config.mergeWindowMs) continue;
    const common = p.chain.find((k) => chain.includes(k));
    if (common && common !== ALL) return { p, common };
  }
  return null;
}

/**
 * Another young problem of `p`'s topic in a third place, apart from both `p`'s and this
 * detection's: three states whose excesses of one topic began within the merge window are one
 * country-wide trouble (a slow one, whose country-wide count stays within the noise of its
 * topic group for hours), not three coincidences.
 */
function thirdPlace({ config, counts, book }: DetectorParts, p: ProblemView, chain: string[]) {
  for (const q of book.problems.values()) {
    if (q === p || q.kind !== 'area' || q.topic !== p.topic || !q.areaKey) continue;
    if (q.areaKey === ALL || !book.drawing(q)) continue;
    if (counts.now - q.detectedAt > config.mergeWindowMs) continue;
    const apart = (c: string[]) => c.find((k) => q.chain.includes(k)) === ALL;
    if (apart(p.chain) && apart(chain)) return true;
  }
  return false;
}

/** The problem owns an area key of a place neither inside nor around this chain's place. */
function spansOtherPlaces(p: ProblemView, chain: string[]): boolean {
  for (const k of p.keys) {
    const at = k.indexOf('@');
    if (at < 0) continue;
    const place = k.slice(at + 1);
    if (place === ALL || chain.includes(place)) continue;
    if (!chainOfKey(place, null).includes(chain[0])) return true;
  }
  return false;
}

/** A topic and the topics of its group (triage confuses them). */
function groupTopics(config: DetectorConfig, topic: string): string[] {
  return config.topicGroups.find((g) => g.includes(topic)) ?? [topic];
}

function topicShare(members: Entry[], topic: string | null): number {
  if (!topic || members.length === 0) return 0;
  let n = 0;
  for (const m of members) if (m.topic === topic) n++;
  return n / members.length;
}

/** A key's topic, or for a group or every-topic key the topic most of its complaints have. */
function namedTopic(members: Entry[], keyTopic: string): string | null {
  return keyTopic === ANY_TOPIC || keyTopic.startsWith('g:') ? majorityTopic(members) : keyTopic;
}

function majorityTopic(members: Entry[]): string | null {
  return mode(members.map((m) => m.topic)).value;
}

/** The most specific area shared by at least 60 % of the members with one (for text clusters). */
function dominantArea(members: Entry[]) {
  const counts = new Map<string, { n: number; area: Area }>();
  for (const m of members) {
    for (const k of areaChain(m.area)) {
      if (k === ALL) continue;
      const c = counts.get(k) ?? { n: 0, area: m.area! };
      c.n++;
      counts.set(k, c);
    }
  }
  // Among the members that name a place (many name none): the place most of them share, when
  // enough do to say so.
  let placed = 0;
  for (const m of members) if (m.area) placed++;
  if (placed < Math.max(3, members.length / 4)) return null;
  let best: { key: string; area: ReturnType<typeof areaAtLevel> } | null = null;
  let bestRank = -1;
  for (const [k, c] of counts) {
    if (c.n < 0.6 * placed) continue;
    const rank = k.startsWith('p:') ? 3 : k.startsWith('t:') ? 2 : 1;
    if (rank > bestRank) {
      bestRank = rank;
      best = { key: k, area: areaAtLevel(c.area, k) };
    }
  }
  return best;
}

function readsAlike(config: DetectorConfig, counts: Counts, ks: KeyState, p: ProblemView) {
  return kinship(unexplainedSigs(counts, ks), problemSigs(counts, p)) >= config.minKinship;
}

/** MinHash signatures of a problem's complaints still in its keys' windows. */
function problemSigs(counts: Counts, p: ProblemView): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (const k of p.keys) {
    const ks = counts.keys.get(k);
    if (!ks) continue;
    for (const m of counts.members(ks)) if (m.problemId === p.id && m.sig) out.push(m.sig);
  }
  return out;
}

/** Signatures of a key's recent complaints that no problem explains yet. */
function unexplainedSigs(counts: Counts, ks: KeyState): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (const m of counts.members(ks)) if (!m.problemId && m.sig) out.push(m.sig);
  return out;
}
