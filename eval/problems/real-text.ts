/**
 * A harder problems configuration: incidents told in real customers' words. Every incident
 * complaint that opens a conversation (the first inbound message of a customer in an incident,
 * a complaint by the simulator's truth) gets the text of a real telecom customer tweet from twcs
 * whose topic label (eval/triage/labels/twcs-telecom-topics.csv) is the incident's topic; time,
 * customer, channel, case and truth stay the simulator's. Follow-ups stay simulated, and so do
 * the complaints of trouble no topic names (text-cluster incidents): no label says which real
 * tweet tells of missing voicemails.
 *
 * The simulator's place is kept: when its text named the customer's ZIP or city (its `{where}`
 * slot, render.ts, always renders the person's home, which lies in the incident's area), the
 * real text gets a mention of the same place at the same level, in one of several shapes.
 *
 * The tweets are read at run time from ../shared/data (never copied here). Cleaning is simple:
 * URLs and @mentions are dropped, and on a public X or Instagram post the brand's own handle
 * takes the place of the first brand handle of the tweet. Brand names in the words ("switching
 * to Verizon") are left as written. Tweets that name a place of their own (area-real.csv) are
 * left out, so a real text never contradicts the simulated place.
 */
import { readFileSync } from 'node:fs';
import type { InboundMessage } from '../../src/ingest/inbound.schema.js';
import { metroOfZip } from '../../src/simulate/areas.js';
import { hashSeed, Rng } from '../../src/simulate/prng.js';
import { BRAND } from '../../src/simulate/render.js';
import type { SimArea } from '../../src/simulate/sim.types.js';
import { type Area, classify, TOPICS } from '../../src/triage/index.js';
import { readSharedCsv } from '../triage/data.js';
import { loadTelecomTweets } from '../triage/topics.js';
import type { EvalMessage, EvalRun } from './source.js';
import type { Stream, StreamMessage } from './stream.js';

/** The topics whose labelled tweets tell of trouble (praise, agent and other are left out). */
export const COMPLAINT_TOPICS = TOPICS.filter((t) => t !== 'praise' && t !== 'other');

export interface RealTextPool {
  /** Cleaned texts (mentions and URLs dropped) by topic label. */
  byTopic: Map<string, { id: string; text: string }[]>;
}

export type PlaceLevel = 'postalCode' | 'city';

/** What the replacement did to the opening complaints of one run or more, and how triage read them. */
export interface ReplacedCounts {
  /** Opening incident complaints of a named topic (the ones replaced). */
  replaced: number;
  /** Of those, how many the simulated text named a place in. */
  withPlace: number;
  /** Opening complaints of trouble no topic names, left simulated. */
  keptUnnamed: number;
  /** Real triage on the simulated texts and on the real texts of the same messages. */
  sim: TriageCounts;
  real: TriageCounts;
}

export interface TriageCounts {
  complaint: number;
  /** Classified a complaint of the incident's topic. */
  complaintRightTopic: number;
  /** Of the messages with a place: an area found that agrees with it at the named level. */
  rightPlace: number;
}

const URL_RE = /\bhttps?:\/\/\S+/gi;
const MENTION_RE = /(^|[^\w@])@(\w+)/g;

/** A tweet's words without URLs and @mentions (whitespace tidied). */
export function cleanTweet(text: string): string {
  return text
    .replace(URL_RE, ' ')
    .replace(MENTION_RE, '$1')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .replace(/ ([.,?!])/g, '$1')
    .trim();
}

const poolCache = new Map<boolean, RealTextPool | { skip: string }>();

/**
 * English customer tweets labelled with a complaint topic, without those naming a place. By
 * default only tweets that open a thread (answer no tweet), as an incident's opening complaint
 * does: a reply such as "Both. 18 down and 17 up, wired" is labelled network but needs its thread.
 * Of those, only the ones we labelled complaints (`twcs-opener-complaint.csv`): a topic label
 * says what a tweet is about, not that it tells of trouble, and the customers of an incident
 * report it; they do not ask "is the iPhone SE promotion only on the website?" (21 of 145).
 */
export function loadRealTextPool(openersOnly = true): RealTextPool | { skip: string } {
  const hit = poolCache.get(openersOnly);
  if (hit) return hit;
  const pool = readPool(openersOnly);
  poolCache.set(openersOnly, pool);
  return pool;
}

function readPool(openersOnly: boolean): RealTextPool | { skip: string } {
  const tweets = loadTelecomTweets();
  if (typeof tweets === 'string') return { skip: tweets };
  const csv = readSharedCsv('twcs/twcs_first5000_telecom_threads.csv', { columns: true });
  if ('skip' in csv) return csv;
  const replies = new Set(
    (csv.rows as Record<string, string>[])
      .filter((r) => r.in_response_to_tweet_id)
      .map((r) => r.tweet_id),
  );
  const placed = tweetsNamingAPlace();
  const complaints = openersOnly ? labelledComplaints() : null;
  const byTopic = new Map<string, { id: string; text: string }[]>();
  for (const topic of COMPLAINT_TOPICS) byTopic.set(topic, []);
  for (const t of tweets) {
    const list = byTopic.get(t.topic);
    if (!list || t.language !== 'en' || placed.has(t.id)) continue;
    if (openersOnly && (replies.has(t.id) || !complaints?.has(t.id))) continue;
    const text = cleanTweet(t.text);
    // Too short to carry a complaint once the handles are gone ("@sprintcare ??").
    if (text.split(' ').length < 3) continue;
    list.push({ id: t.id, text });
  }
  return { byTopic };
}

/** Opening tweets we labelled as complaints of the writer's own (`y`), by id. */
function labelledComplaints(): Set<string> {
  const csv = readFileSync(
    new URL('../triage/labels/twcs-opener-complaint.csv', import.meta.url),
    'utf8',
  );
  const out = new Set<string>();
  for (const line of csv.trim().split('\n').slice(1)) {
    const [id, complaint] = line.split(',');
    if (complaint === 'y') out.add(id);
  }
  return out;
}

/** twcs tweet ids whose place label (area-real.csv) names a place. */
function tweetsNamingAPlace(): Set<string> {
  const csv = readFileSync(new URL('../triage/labels/area-real.csv', import.meta.url), 'utf8');
  const out = new Set<string>();
  for (const line of csv.trim().split('\n').slice(1)) {
    const [source, id, , ...fields] = line.split(',');
    if (source === 'twcs' && fields.some((f) => f.trim() !== '')) out.add(id);
  }
  return out;
}

/**
 * The level of the customer's place the simulated text names: its `{where}` slot renders the
 * person's home as " here in 60608", " (60608)", " in Chicago 60608" (a ZIP), or " in Chicago",
 * " in Chicago, IL", " around Chi-town" (a city). Compared lower-case: SMS texts may be lowered.
 */
export function placeLevelOf(simText: string, home: SimArea): PlaceLevel | null {
  const text = simText.toLowerCase();
  const zip = home.postalCode;
  if (zip && new RegExp(`\\b${zip}\\b`).test(text)) return 'postalCode';
  const city = home.city?.toLowerCase();
  if (city && text.includes(` in ${city}`)) return 'city';
  if (zip) {
    const nicks = metroOfZip(zip).nicknames;
    if (nicks.some((n) => text.includes(` around ${n.toLowerCase()}`))) return 'city';
  }
  return null;
}

type Shape = (p: { zip: string; city: string; state: string; nick: string }) => string;

/** Place mentions woven into the first sentence ("… in 60608. …") or appended at the end. */
const INLINE: Record<PlaceLevel, Shape[]> = {
  postalCode: [
    (p) => ` in ${p.zip}`,
    (p) => ` here in ${p.zip}`,
    (p) => ` (${p.zip})`,
    (p) => ` in zip ${p.zip}`,
    (p) => ` in ${p.city} ${p.zip}`,
    (p) => ` - ${p.city}, ${p.state} ${p.zip}`,
  ],
  city: [
    (p) => ` in ${p.city}`,
    (p) => ` here in ${p.city}`,
    (p) => ` (${p.city}, ${p.state})`,
    (p) => ` - ${p.city} ${p.state}`,
    (p) => ` in ${p.city}, ${p.state}`,
    (p) => ` around ${p.nick}`,
  ],
};
/** Place mentions that open the text or close it as a sentence of its own. */
const PREFIX: Record<PlaceLevel, Shape[]> = {
  postalCode: [(p) => `${p.zip}: `, (p) => `${p.city} ${p.state} ${p.zip} - `],
  city: [(p) => `${p.city}, ${p.state}: `, (p) => `${p.city} here. `],
};
const SENTENCE: Record<PlaceLevel, Shape[]> = {
  postalCode: [(p) => ` I'm in ${p.zip}.`, (p) => ` Zip code ${p.zip}.`],
  city: [(p) => ` I'm in ${p.city}.`, (p) => ` This is in ${p.city}, ${p.state}.`],
};

/** Puts a place mention into a text, in one of several shapes and positions. */
export function withPlace(text: string, home: SimArea, level: PlaceLevel, rng: Rng): string {
  const zip = home.postalCode ?? '';
  const city = home.city ?? '';
  const p = {
    zip,
    city,
    state: home.region ?? '',
    nick: zip ? rng.pick(metroOfZip(zip).nicknames) : city,
  };
  const how = rng.weighted([
    ['inline', 0.6],
    ['prefix', 0.2],
    ['sentence', 0.2],
  ] as const);
  if (how === 'prefix') return `${rng.pick(PREFIX[level])(p)}${text}`;
  if (how === 'sentence') {
    const end = /[.!?]$/.test(text) ? '' : '.';
    return `${text}${end}${rng.pick(SENTENCE[level])(p)}`;
  }
  const mention = rng.pick(INLINE[level])(p);
  // After the first sentence's words, before its closing punctuation; else at the end.
  const stop = /[.!?]+(\s|$)/.exec(text);
  const at = stop ? stop.index : text.length;
  return `${text.slice(0, at)}${mention}${text.slice(at)}`;
}

/** The real text for one simulated opening complaint, deterministic in the message's ref. */
export function realTextFor(
  pool: RealTextPool,
  m: InboundMessage,
  simText: string,
  topic: string,
  home: SimArea | null,
): { text: string; tweetId: string; level: PlaceLevel | null } | null {
  const list = pool.byTopic.get(topic);
  if (!list || list.length === 0) return null;
  const rng = new Rng(hashSeed(`real-text:${m.channel}:${m.externalId}`, 0));
  const tweet = rng.pick(list);
  let text = tweet.text;
  const level = home ? placeLevelOf(simText, home) : null;
  if (home && level) text = withPlace(text, home, level, rng);
  if (m.visibility === 'public' && m.channel === 'x') text = `@${BRAND.xHandle} ${text}`;
  if (m.visibility === 'public' && m.channel === 'instagram' && rng.chance(0.5))
    text = `@${BRAND.instagramHandle} ${text}`;
  return { text, tweetId: tweet.id, level };
}

/** The incidents' opening complaints: each customer's first inbound message of an incident. */
export function openingComplaints(run: EvalRun): Map<string, EvalMessage> {
  const seen = new Set<string>();
  const out = new Map<string, EvalMessage>();
  for (const e of run.messages) {
    const { message: m, truth: t } = e;
    if (m.direction !== 'in' || !t.incidentId || t.real) continue;
    const key = `${t.incidentId}|${t.customerKey}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (t.complaint) out.set(`${m.channel}:${m.externalId}`, e);
  }
  return out;
}

const emptyCounts = (): TriageCounts => ({ complaint: 0, complaintRightTopic: 0, rightPlace: 0 });

export function emptyReplaced(): ReplacedCounts {
  return { replaced: 0, withPlace: 0, keptUnnamed: 0, sim: emptyCounts(), real: emptyCounts() };
}

export function addReplaced(a: ReplacedCounts, b: ReplacedCounts): ReplacedCounts {
  const add = (x: TriageCounts, y: TriageCounts): TriageCounts => ({
    complaint: x.complaint + y.complaint,
    complaintRightTopic: x.complaintRightTopic + y.complaintRightTopic,
    rightPlace: x.rightPlace + y.rightPlace,
  });
  return {
    replaced: a.replaced + b.replaced,
    withPlace: a.withPlace + b.withPlace,
    keptUnnamed: a.keptUnnamed + b.keptUnnamed,
    sim: add(a.sim, b.sim),
    real: add(a.real, b.real),
  };
}

/** Whether triage's area agrees with the customer's home at the level the text named. */
export function placeAgrees(area: Area | null, home: SimArea, level: PlaceLevel): boolean {
  if (!area) return false;
  if (level === 'postalCode') return area.postalCode === home.postalCode;
  return (area.city ?? '').toLowerCase() === (home.city ?? '').toLowerCase();
}

/**
 * The real-triage stream of a run with the opening incident complaints told in real words: the
 * same messages as `base` (the simulated-text stream, already classified), with those texts
 * replaced and classified again the way loadStream classifies.
 */
export function replaceIncidentTexts(
  base: Stream,
  run: EvalRun,
  pool: RealTextPool,
): { stream: Stream; counts: ReplacedCounts } {
  const openers = openingComplaints(run);
  const counts = emptyReplaced();
  const messages = base.messages.map((s): StreamMessage => {
    const e = openers.get(s.ref);
    if (!e) return s;
    const topic = e.truth.topic ?? 'other';
    const home = e.truth.area;
    const r = realTextFor(pool, e.message, e.message.text, topic, home);
    if (!r) {
      counts.keptUnnamed++;
      return s;
    }
    const c = classify({
      text: r.text,
      channel: e.message.channel,
      authorLocation: e.message.author.location,
    });
    const complaint = c.complaint && !c.spam;
    counts.replaced++;
    tally(counts.sim, s.complaint, s.topic === topic, home, r.level, s.area);
    tally(counts.real, complaint, c.topic === topic, home, r.level, c.area);
    if (r.level) counts.withPlace++;
    return { ...s, text: r.text, complaint, topic: c.topic, area: c.area };
  });
  return { stream: { ...base, messages }, counts };
}

function tally(
  t: TriageCounts,
  complaint: boolean,
  rightTopic: boolean,
  home: SimArea | null,
  level: PlaceLevel | null,
  area: Area | null,
): void {
  if (complaint) t.complaint++;
  if (complaint && rightTopic) t.complaintRightTopic++;
  if (home && level && placeAgrees(area, home, level)) t.rightPlace++;
}

/** The report's lines on what the replacement did and how real triage read both texts. */
export function formatReplaced(c: ReplacedCounts, pool: RealTextPool): string {
  const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)} %`);
  const line = (name: string, t: TriageCounts) =>
    `  ${name}: complaint ${pct(t.complaint, c.replaced)} (${t.complaint}), complaint of the incident's topic ${pct(t.complaintRightTopic, c.replaced)} (${t.complaintRightTopic}), place found at the named level ${pct(t.rightPlace, c.withPlace)} (${t.rightPlace}/${c.withPlace})`;
  const sizes = [...pool.byTopic].map(([t, l]) => `${t} ${l.length}`).join(', ');
  return [
    `real-text incidents: ${c.replaced} opening incident complaints told with a real twcs tweet of their topic (${c.withPlace} with the simulated place added); ${c.keptUnnamed} of trouble no topic names kept simulated; follow-ups simulated`,
    `  distinct thread-opening tweets per topic: ${sizes}`,
    'real triage on those opening complaints:',
    line('simulated text', c.sim),
    line('real text     ', c.real),
  ].join('\n');
}
