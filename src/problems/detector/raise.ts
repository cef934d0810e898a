/**
 * The raise rules for an area key (a word's are in text-raise.ts): when it is significantly and
 * persistently in excess, either a known problem takes it (its owner, the holder of most of its
 * complainers, a nested or neighbouring detection of the same trouble: same-trouble.ts) or a new
 * problem is raised with the key's complaints linked.
 */
import { newId } from '../../platform/ids.js';
import type { Area } from '../../triage/index.js';
import { ALL, areaAtLevel, areaChain, chainOfKey, countryWide, nested } from './areas.js';
import type { DetectorParts } from './book.js';
import { coldHit, coldMembers } from './cold-start.js';
import { type DetectorConfig, raiseLevel } from './config.js';
import { ANY_TOPIC } from './counts.js';
import { innerPlace } from './inner-place.js';
import { besideShown, outgrown, placed, related } from './link.js';
import { placeQuiet } from './place-quiet.js';
import { homePlace, namedTopic, OTHER, sameTrouble, thirdPlace } from './same-trouble.js';
import { topicMix } from './topic-mix.js';
import type { Complaint, Decision, ProblemView } from './types.js';
import type { Entry, KeyState } from './window.js';

/**
 * `outgrown` for a named topic's key below the country (a group or every-topic key names no
 * topic to compare; country-wide, unrelated troubles coincide and other rules decide).
 */
function outgrownHere(
  { config, counts }: DetectorParts,
  p: ProblemView,
  ks: KeyState,
  areaKey: string,
): boolean {
  const topic = ks.topic!;
  if (areaKey === ALL || topic === ANY_TOPIC || topic.startsWith('g:')) return false;
  return outgrown(config, counts, p, topic, areaKey);
}

/**
 * A local problem holds its own topic's country-wide key only through what its place's key does
 * not count there (complaints naming no place or another): its complaints in its place are that
 * key's members too, and say nothing of where the rest of the excess comes from. A 7-minute
 * Denver burst held the country's outage key for 12 hours by its own customers, and took the
 * complaints naming no place of a San Francisco outage that began two hours later. (Another
 * topic's country-wide key is spill-over by any of its customers: they write again, and
 * triage files their follow-ups under another topic.)
 */
function placeOnly({ config, counts }: DetectorParts, p: ProblemView, ks: KeyState): boolean {
  if (ks.areaKey !== ALL || !p.areaKey || p.areaKey === ALL || ks.topic !== p.topic) return false;
  let n = 0;
  let own = 0;
  for (const m of counts.members(ks)) {
    if (m.area && nested(areaChain(m.area), p.chain)) continue;
    n++;
    if (m.problemId === p.id) own++;
  }
  return own < config.coMemberShare * Math.max(1, n);
}

/**
 * A country-wide excess is not a local problem's once its own place went quiet (`placeQuiet`):
 * its spill-over there (its complainers naming no place) comes with its place's complaints, and
 * a 7-minute burst fills the country-wide key's windows for hours after it ended. Without this,
 * a Denver burst's problem held the country's outage key, and took the complaints naming no
 * place of a San Francisco outage that began two hours later.
 */
function quietElsewhere({ config, counts }: DetectorParts, p: ProblemView, areaKey: string) {
  return areaKey === ALL && !!p.areaKey && p.areaKey !== ALL && placeQuiet(config, counts, p);
}

export function testAreaKey(
  parts: DetectorParts,
  key: string,
  areaKey: string,
  c: Complaint,
  out: Decision[],
  cold = false,
) {
  const { config, counts, book } = parts;
  const ks = counts.keys.get(key)!;
  const owned = book.claiming(book.ownedBy.get(key));
  const owner = owned && !quietElsewhere(parts, owned, areaKey) ? owned : undefined;
  if (owner) {
    book.refreshEpisode(owner);
    // A problem a person made for this place and topic has no window of its own yet: the
    // complainers its key gathered, once they stand out, are its trouble's (as a raise links
    // its window).
    if (owner.kind === 'manual' && counts.significant(ks, config.minCustomers, config.alpha, true))
      own(parts, owner, key, ks, out);
    if (owner.status === 'suspected') {
      const strong = counts.significant(ks, config.minCustomers * 3, config.strongAlpha, true);
      if (strong) {
        out.push({ type: 'confirm', problemId: owner.id, at: c.at, baseline: strong });
        owner.status = 'confirmed';
      }
    }
    return;
  }
  // Before there is a baseline (`cold-start.ts`), only a place's topic that outnumbers the
  // desk's other traffic; a country-wide excess is then the whole desk. A key of several topics
  // answers to `mixedAlpha`: a place's busiest key, where background swings stand out first; so
  // does `other`, triage's name for what it cannot name, as mixed as they are. Both are scaled
  // down on a busy desk (`raiseLevel`).
  const hit = cold
    ? coldHit(config, counts, ks)
    : counts.significant(
        ks,
        config.minCustomers,
        raiseLevel(
          config,
          counts.episodesPerHour(),
          ks.topic === ANY_TOPIC || ks.topic!.startsWith('g:') || ks.topic === OTHER
            ? config.mixedAlpha
            : config.alpha,
        ),
      );
  if (!hit) return;
  // Many of this key's recent complainers already belong to one live problem: the excess is
  // that trouble's spill-over into a confused topic or a wider place, whenever it began.
  const holder = book.holder(ks);
  // (Unless that topic's excess outgrew the holder's own there: `outgrownHere`; or it holds a
  // country-wide key only by what its own place's key counts: `placeOnly`.)
  if (holder && !outgrownHere(parts, holder, ks, areaKey) && !placeOnly(parts, holder, ks)) {
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
    if (!book.drawing(p) || !placed(p) || !p.topic) continue;
    if (!related(config, p.topic, ks.topic!)) continue;
    // (Not a local problem whose place went quiet, for a country-wide excess: `quietElsewhere`.)
    if (quietElsewhere(parts, p, areaKey)) continue;
    // (Not another city of its region beside the one its complainers settled on: `besideShown`.)
    const isNested =
      (chain.includes(p.areaKey) && !besideShown(p, chain)) || p.chain.includes(areaKey);
    // Unless the other topic's excess outgrew the problem's own in that place.
    if (isNested && outgrownHere(parts, p, ks, areaKey)) continue;
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
      // It owns its own topic's key of a place inside this one, where most of this excess is:
      // that place is its place, not the wider one (San Francisco's outage, raised country-wide
      // by its complaints naming no place, moved to California by the state's excess and took
      // Oakland's network trouble; outside-style desk overlap).
      const inner = innerPlace(parts, p, areaKey, ks);
      if (inner) {
        moveTo(parts, p, inner.place, inner.chain, inner.area, inner.key, inner.ks, c.at, out);
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
  // Every complainer it could take already belongs to a problem (several of them, or `holder`
  // would have said): the excess is theirs, and a new problem would hold no case at all.
  // (Cold, the priors are the burst's own: its last hour's complainers are the excess.)
  // Only from the window that stood out on: before it, the change point's earlier members are
  // as often the place's ordinary complaints (a small trouble raised on its 4-hour window took
  // a city's complaints of the 10 hours before it).
  const from = c.at - hit.windowMinutes * 60_000;
  const linkable = (
    cold ? coldMembers(counts, ks) : counts.linkable(ks).filter((m) => !m.problemId)
  ).filter((m) => m.at >= from);
  if (linkable.length === 0) return;
  const problemId = newId();
  const members = counts.members(ks);
  // A group or every-topic key names the topic most of its complaints have, if one has most.
  const topic = namedTopic(members, ks.topic!);
  // Raised on a place's every topic: the topics of the complaints it stood out on (those it
  // links first are only the likeliest excess of them), when no topic has half.
  const mix =
    ks.topic === ANY_TOPIC
      ? topicMix(
          members.filter((m) => m.at >= from),
          topic,
        )
      : null;
  const confirmed = hit.observed >= config.minCustomers * 3 && hit.pValue <= config.strongAlpha;
  const firstAt = linkable.reduce((t, m) => Math.min(t, m.at), c.at);
  out.push({
    type: 'raise',
    problemId,
    kind: 'area',
    topic,
    area: areaKey === ALL ? countryWide(members) : areaAtLevel(c.area, areaKey),
    areaKey,
    keys: [key],
    terms: [],
    teamId: null,
    at: c.at,
    // Where its trouble began: the first complaint it links (the key's window reaches back 12
    // hours into the place's ordinary complaints, which are not its trouble).
    firstAt,
    confirmed,
    baseline: hit,
    tightness: null,
    ...(mix ? { mix } : {}),
  });
  book.adopt(problemId, 'area', topic, areaKey, [key], c.at, confirmed, chain);
  book.onsetAt.set(problemId, firstAt);
  for (const m of linkable) out.push(book.linkEntry(problemId, m, 'detected'));
}

/**
 * The problem's place becomes `place` (a common wider area, or a country-wide problem's real
 * place): `chain` is the chain of the detection that showed it, `area` that detection's area.
 */
export function moveTo(
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
  // A person chose its place (or shaped it): it takes the excess but keeps its area.
  if (p.human) {
    own(parts, p, key, ks, out);
    return;
  }
  out.push({
    type: 'refine',
    problemId: p.id,
    at,
    areaKey: place,
    area: areaAtLevel(area, place),
    key,
  });
  p.areaKey = place;
  p.shownKey = place;
  p.chain = chain.slice(chain.indexOf(place));
  own(parts, p, key, ks, out);
}

/**
 * A young country-wide problem whose complainers turn out to be in one place (`homePlace`)
 * moves there, taking its topic's key of that place. Checked at most once a minute per problem.
 */
export function settleHome(
  parts: DetectorParts,
  p: ProblemView,
  area: Area | null,
  at: number,
  out: Decision[],
): void {
  if (p.human || p.areaKey !== ALL || !area || spansOtherPlaces(p, areaChain(area))) return;
  if (!parts.book.placeCheckDue(p.id)) return;
  const home = homePlace(parts, p, area);
  const ks = home && parts.counts.keys.get(`${p.topic}@${home}`);
  if (!home || !ks) return;
  const chain = areaChain(area);
  moveTo(parts, p, home, chain.slice(chain.indexOf(home)), area, ks.key, ks, at, out);
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
    out.push({ type: 'own', problemId: p.id, at: counts.now, key });
    p.keys.push(key);
  }
  book.ownedBy.set(key, p.id);
  // A local problem taking its topic's country-wide key explains that key's complainers in its
  // place (and those naming none), not a concentrated excess in another city: those are left
  // to their own place's keys (a San Francisco outage took a Denver burst through `outage@all`,
  // and Denver's customers would have been told of San Francisco's fix).
  // The same for a word key (its burst holds the word's everyday users everywhere).
  const wide = ks.areaKey === ALL || ks.family === 'text';
  const elsewhere = wide && p.areaKey && p.areaKey !== ALL ? p.chain : null;
  for (const m of counts.linkable(ks)) {
    if (m.problemId) continue;
    if (elsewhere && m.area && !nested(areaChain(m.area), elsewhere)) continue;
    out.push(book.linkEntry(p.id, m, 'merged'));
  }
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
