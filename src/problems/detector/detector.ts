import { newId } from '../../platform/ids.js';
import type { Area } from '../../triage/index.js';
import { ALL, areaAtLevel, areaChain, chainOfKey } from './areas.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './config.js';
import { AreaMemory } from './enrich.js';
import { SeasonalProfile } from './seasonal.js';
import { overdispersedTail, poissonTail } from './stats.js';
import { contentTerms, minhash, tightness } from './text.js';

const HOUR = 3_600_000;
/** Every complaint, whatever its topic and area: the denominator of the share baseline. */
const GLOBAL = '*';

/** One classified complaint, in event time. */
export interface Complaint {
  /** Unique message reference (channel + external id). */
  ref: string;
  at: number;
  customerId: string;
  caseId: string | null;
  topic: string;
  area: Area | null;
  text: string;
}

/**
 * One inbound customer message as the pipeline's detect stage sees it: triage's verdict, the
 * case it threads into and the author's channel address (for area inference).
 */
export interface Observation {
  ref: string;
  at: number;
  customerId: string;
  caseId: string | null;
  /** The author's address on its channel (an E.164 number for WhatsApp, SMS, voice). */
  address?: string | null;
  /** Triage's area (from the text or the author's profile location). */
  area: Area | null;
  complaint: boolean;
  topic: string;
  text: string;
}

/** A process signal (broken promise, SLA breach, repeat contact) attributed to a team. */
export interface ProcessSignal {
  ref: string;
  kind: 'promise_broken' | 'sla_breach' | 'repeat_contact';
  teamId: string;
  at: number;
  customerId: string;
  caseId: string | null;
}

export type ProblemKind = 'area' | 'text' | 'process' | 'manual';

/** What the detector needs to know of an open problem (synced from storage every batch). */
export interface ProblemView {
  id: string;
  kind: ProblemKind;
  status: string;
  topic: string | null;
  areaKey: string | null;
  /** Detector keys whose complaints belong to this problem. */
  keys: string[];
  /** The problem's area key and its ancestors (`all` last); `[]` when it has no area. */
  chain: string[];
  lastEventAt: number;
  /** When it was raised (event time). */
  detectedAt: number;
  fixedAt: number | null;
  /** A person has acted on it (confirmed, fixing, …): it never expires on its own. */
  human: boolean;
}

export interface Member {
  ref: string;
  caseId: string | null;
  customerId: string;
  at: number;
}

export interface Baseline {
  key: string;
  windowMinutes: number;
  observed: number;
  expected: number;
  pValue: number;
}

export type Decision =
  | {
      type: 'raise';
      problemId: string;
      kind: ProblemKind;
      topic: string | null;
      area: {
        postalCode: string | null;
        city: string | null;
        region: string | null;
        country: string | null;
      } | null;
      areaKey: string | null;
      keys: string[];
      terms: string[];
      teamId: string | null;
      at: number;
      firstAt: number;
      confirmed: boolean;
      baseline: Baseline;
      tightness: number | null;
    }
  | { type: 'link'; problemId: string; member: Member; reason: 'detected' | 'arrival' | 'merged' }
  | { type: 'own'; problemId: string; key: string }
  | { type: 'confirm'; problemId: string; at: number; baseline: Baseline }
  | { type: 'verify'; problemId: string; at: number }
  | { type: 'expire'; problemId: string; at: number }
  | {
      type: 'refine';
      problemId: string;
      at: number;
      areaKey: string;
      area: NonNullable<Extract<Decision, { type: 'raise' }>['area']>;
      key: string;
    };

interface Entry extends Member {
  topic: string | null;
  problemId: string | null;
  sig: Uint32Array | null;
  area: Area | null;
}

/** Distinct customers inside a sliding event-time window (O(1) amortised per event). */
class Window {
  readonly queue: Entry[] = [];
  head = 0;
  readonly last = new Map<string, number>();
  constructor(readonly ms: number) {}
  /** Adds; returns true when the customer was not in the window (a new episode). */
  add(e: Entry): boolean {
    const fresh = !this.last.has(e.customerId);
    const prev = this.last.get(e.customerId) ?? Number.NEGATIVE_INFINITY;
    if (e.at >= prev) this.last.set(e.customerId, e.at);
    this.queue.push(e);
    return fresh;
  }
  /** Drops entries older than the window; calls `gone` for each customer that left it. */
  evict(now: number, gone?: (e: Entry) => void): void {
    const cutoff = now - this.ms;
    while (this.head < this.queue.length && this.queue[this.head].at < cutoff) {
      const e = this.queue[this.head++];
      if (this.last.get(e.customerId) === e.at) {
        this.last.delete(e.customerId);
        gone?.(e);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
  entries(): Entry[] {
    return this.queue.slice(this.head);
  }
  get size(): number {
    return this.last.size;
  }
}

type KeyFamily = 'area' | 'text' | 'process';

interface KeyState {
  key: string;
  family: KeyFamily;
  topic: string | null;
  areaKey: string | null;
  /** The region (state) the key's place lies in, for the regional share baseline. */
  regionKey: string | null;
  windows: Window[];
  /** Episodes that aged out of the longest window unexplained by a problem: the baseline. */
  history: number;
}

/**
 * The streaming problem detector. Pure and in-memory, driven only by event time, so a replay of
 * history makes exactly the decisions the live stream made. Counts distinct complainers per
 * topic × area (every area level) and per content term in sliding windows, compares them with a
 * seasonal, shrunk baseline by a Poisson tail test, and raises only on an excess that is
 * significant AND persistent. Its state is a cache: it can be rebuilt from stored messages.
 */
export class Detector {
  readonly config: DetectorConfig;
  private readonly keys = new Map<string, KeyState>();
  private readonly seasonal = new SeasonalProfile();
  private readonly topicEpisodes = new Map<string, number>();
  private totalEpisodes = 0;
  private readonly termDocs = new Map<string, number>();
  private totalDocs = 0;
  private readonly areaCustomers = new Map<string, number>();
  private readonly seenAreaCustomer = new Set<string>();
  private readonly seenCustomer = new Set<string>();
  private processTotal = 0;
  private readonly processTeams = new Set<string>();
  private firstAt: number | null = null;
  now = 0;
  /** Rebuilding from history: count, but decide nothing (those decisions are stored). */
  silent = false;
  private problems = new Map<string, ProblemView>();
  private ownedBy = new Map<string, string>();
  /** Case id → problem id, for complaints arriving on an already linked case. */
  private readonly caseProblem = new Map<string, string>();
  /** Where customers, cases and phone area codes are (fills in complaints naming no place). */
  private readonly areas = new AreaMemory();
  /** Recent complaints counted without a place, by case: a later message may name it. */
  private readonly pendingCase = new Map<string, Entry>();

  constructor(config: Partial<DetectorConfig> = {}) {
    this.config = { ...DEFAULT_DETECTOR_CONFIG, ...config };
  }

  /** Replaces the detector's view of open problems (storage is the source of truth). */
  syncProblems(views: ProblemView[]): void {
    this.problems = new Map(views.map((v) => [v.id, v]));
    this.ownedBy = new Map();
    for (const v of views) for (const k of v.keys) this.ownedBy.set(k, v.id);
  }

  problemViews(): ProblemView[] {
    return [...this.problems.values()];
  }

  noteCaseLink(caseId: string, problemId: string | null): void {
    if (problemId) this.caseProblem.set(caseId, problemId);
    else this.caseProblem.delete(caseId);
  }

  /**
   * One inbound customer message (the pipeline's entry point): fills in a missing area from
   * the case, the customer or the phone number, learns from a named one (and gives a complaint
   * of the same case counted without a place its place, linking it if a problem is there),
   * then counts the message and, when it is a complaint, tests and links it.
   */
  observe(o: Observation): Decision[] {
    this.advance(o.at);
    const out: Decision[] = [];
    let area = o.area;
    if (area) {
      this.areas.learn(o.customerId, o.caseId, o.address ?? null, area);
      if (o.caseId) this.placeCase(o.caseId, area, o.at, out);
    } else if (this.config.inferArea) {
      area = this.areas.resolve(o.customerId, o.caseId, o.address ?? null)?.area ?? null;
    }
    this.observeMessage(o.customerId, area, o.at);
    if (o.complaint) {
      out.push(
        ...this.observeComplaint({
          ref: o.ref,
          at: o.at,
          customerId: o.customerId,
          caseId: o.caseId,
          topic: o.topic,
          area,
          text: o.text,
        }),
      );
    }
    return out;
  }

  /** A later message of a case named the place its earlier complaint did not. */
  private placeCase(caseId: string, area: Area, at: number, out: Decision[]) {
    const e = this.pendingCase.get(caseId);
    if (!e) return;
    this.pendingCase.delete(caseId);
    if (e.area || at - e.at > this.config.windowsMs[this.config.windowsMs.length - 1]) return;
    e.area = area;
    const { chain, topicKeys, keyTopics, keyAreas } = this.keysFor(e.topic!, area);
    const region = chain.find((k) => k.startsWith('r:')) ?? null;
    if (region) this.addEntry(this.keyState(`${GLOBAL}@${region}`, 'area', null, region), e);
    for (let i = 0; i < topicKeys.length; i++) {
      if (keyAreas[i] === ALL) continue;
      this.addEntry(this.keyState(topicKeys[i], 'area', keyTopics[i], keyAreas[i], region), e);
    }
    if (e.problemId || this.silent) return;
    const target = this.matchOnArrival(e.caseId, e.topic!, areaChain(area), []);
    if (target) {
      out.push(this.linkEntry(target, e, 'arrival'));
    }
  }

  /** The detector keys a complaint counts under: topic (and its group) at every area level. */
  private keysFor(topic: string, area: Area | null) {
    const chain = areaChain(area);
    const group = this.groupOf(topic);
    // Exact topic at every level, then the topic's group below `all` (triage often confuses
    // outage with network or other; one broken thing shows up under several topics).
    const keyTopics: string[] = chain.map(() => topic);
    const keyAreas: string[] = [...chain];
    if (group) {
      for (const a of chain) {
        if (a === ALL) continue;
        keyTopics.push(group);
        keyAreas.push(a);
      }
    }
    // Country-wide last: a local spike should name its place before it shows nationally.
    const allAt = keyAreas.indexOf(ALL);
    keyTopics.push(keyTopics.splice(allAt, 1)[0]);
    keyAreas.push(keyAreas.splice(allAt, 1)[0]);
    const topicKeys = keyAreas.map((a, i) => `${keyTopics[i]}@${a}`);
    return { chain, topicKeys, keyTopics, keyAreas };
  }

  /** Every inbound customer message: teaches how customers spread over areas. */
  observeMessage(customerId: string, area: Area | null, at: number): void {
    this.advance(at);
    if (!this.seenCustomer.has(customerId)) this.seenCustomer.add(customerId);
    if (!area) return;
    for (const k of areaChain(area)) {
      if (k === ALL) continue;
      const id = `${k}|${customerId}`;
      if (this.seenAreaCustomer.has(id)) continue;
      this.seenAreaCustomer.add(id);
      this.areaCustomers.set(k, (this.areaCustomers.get(k) ?? 0) + 1);
    }
  }

  /** One classified complaint; returns what to do (raise, link, own, confirm). */
  observeComplaint(c: Complaint): Decision[] {
    this.advance(c.at);
    const out: Decision[] = [];
    const entry: Entry = {
      ref: c.ref,
      at: c.at,
      customerId: c.customerId,
      caseId: c.caseId,
      topic: c.topic,
      problemId: null,
      sig: this.config.text.enabled ? minhash(c.text) : null,
      area: c.area,
    };
    const { chain, topicKeys, keyTopics, keyAreas } = this.keysFor(c.topic, c.area);
    const terms = this.config.text.enabled ? contentTerms(c.text) : [];
    const termKeys = terms.map((t) => `w:${t}`);

    // Count first, so the complaint that tips a key over is part of its evidence.
    this.addEntry(this.keyState(GLOBAL, 'area', null, null), entry);
    const region = chain.find((k) => k.startsWith('r:')) ?? null;
    if (region) this.addEntry(this.keyState(`${GLOBAL}@${region}`, 'area', null, region), entry);
    for (let i = 0; i < topicKeys.length; i++) {
      const ks = this.keyState(topicKeys[i], 'area', keyTopics[i], keyAreas[i], region);
      const fresh = this.addEntry(ks, entry);
      if (fresh && keyAreas[i] === ALL) {
        this.seasonal.add(c.at);
        this.totalEpisodes++;
        this.topicEpisodes.set(c.topic, (this.topicEpisodes.get(c.topic) ?? 0) + 1);
      }
    }
    this.totalDocs++;
    for (let i = 0; i < termKeys.length; i++) {
      const ks = this.keyState(termKeys[i], 'text', null, null);
      this.addEntry(ks, entry);
      this.termDocs.set(terms[i], (this.termDocs.get(terms[i]) ?? 0) + 1);
    }

    if (chain.length === 1 && c.caseId) {
      this.pendingCase.delete(c.caseId);
      this.pendingCase.set(c.caseId, entry);
      if (this.pendingCase.size > 100_000)
        this.pendingCase.delete(this.pendingCase.keys().next().value as string);
    }

    // Link on arrival to a known problem.
    const target = this.matchOnArrival(c.caseId, c.topic, chain, termKeys);
    if (target) {
      entry.problemId = target;
      if (c.caseId) this.caseProblem.set(c.caseId, target);
      out.push({ type: 'link', problemId: target, member: member(entry), reason: 'arrival' });
      this.touch(target, c.at);
    }

    if (this.silent) return [];
    const warm = this.firstAt !== null && this.now - this.firstAt >= this.config.warmupMs;
    if (warm) {
      for (let i = 0; i < topicKeys.length; i++)
        this.testAreaKey(topicKeys[i], keyAreas[i], c, out);
    }
    const textWarm = this.firstAt !== null && this.now - this.firstAt >= this.config.text.warmupMs;
    if (textWarm && !entry.problemId) {
      for (const k of termKeys) {
        if (this.testTextKey(k, out)) break;
      }
    }
    return out;
  }

  /** A process signal (broken promise, SLA breach, repeat contact) for one team. */
  observeProcess(s: ProcessSignal): Decision[] {
    this.advance(s.at);
    const out: Decision[] = [];
    const key = `proc:${s.kind}:${s.teamId}`;
    const ks = this.keyState(key, 'process', null, null);
    const entry: Entry = { ...s, topic: null, problemId: null, sig: null, area: null };
    if (this.addEntry(ks, entry)) this.processTotal++;
    this.processTeams.add(s.teamId);
    const owner = this.ownedBy.get(key);
    if (owner) {
      out.push({ type: 'link', problemId: owner, member: member(entry), reason: 'arrival' });
      entry.problemId = owner;
      return out;
    }
    if (this.firstAt === null || this.now - this.firstAt < this.config.warmupMs) return out;
    const hit = this.significant(ks, this.config.process.minCustomers, this.config.process.alpha);
    if (!hit) return out;
    const problemId = newId();
    const members = this.members(ks);
    out.push({
      type: 'raise',
      problemId,
      kind: 'process',
      topic: null,
      area: null,
      areaKey: null,
      keys: [key],
      terms: [],
      teamId: s.teamId,
      at: s.at,
      firstAt: members[0]?.at ?? s.at,
      confirmed: false,
      baseline: hit,
      tightness: null,
    });
    this.adopt(problemId, 'process', null, null, [key], s.at);
    for (const m of members) out.push(this.linkEntry(problemId, m, 'detected'));
    return out;
  }

  /** Time-driven decisions (verification after a quiet period), in event time. */
  tick(): Decision[] {
    const out: Decision[] = [];
    if (this.silent) return out;
    for (const p of this.problems.values()) {
      if (!p.human && (p.status === 'suspected' || p.status === 'confirmed')) {
        if (this.now - p.lastEventAt >= this.config.expireQuietMs) {
          out.push({ type: 'expire', problemId: p.id, at: this.now });
          p.status = 'closed';
        }
        continue;
      }
      if (p.status !== 'fixed' || p.fixedAt === null) continue;
      const since = Math.max(p.fixedAt, p.lastEventAt);
      if (this.now - since >= this.config.verifyQuietMs) {
        out.push({ type: 'verify', problemId: p.id, at: this.now });
        p.status = 'verified';
      }
    }
    return out;
  }

  /** Share of customers seen in an area (1 for the whole country). */
  areaShare(areaKey: string | null): number {
    if (!areaKey || areaKey === ALL) return 1;
    return ((this.areaCustomers.get(areaKey) ?? 0) + 0.5) / (this.seenCustomer.size + 1);
  }

  /** Counts, expectations and persistence of one key (diagnostics, `problems inspect`). */
  inspect(key: string) {
    const ks = this.keys.get(key);
    if (!ks || this.firstAt === null) return null;
    return ks.windows.map((w) => {
      w.evict(this.now);
      const expected = this.expected(ks, w.ms);
      return {
        windowMinutes: w.ms / 60_000,
        observed: w.size,
        expected,
        pValue: poissonTail(w.size, expected),
        persistent: this.persistent(w),
        history: ks.history,
      };
    });
  }

  // ---------------------------------------------------------------------------------------

  private advance(at: number) {
    if (this.firstAt === null || at < this.firstAt) this.firstAt = at;
    if (at > this.now) this.now = at;
  }

  private keyState(
    key: string,
    family: KeyFamily,
    topic: string | null,
    areaKey: string | null,
    regionKey: string | null = null,
  ) {
    let ks = this.keys.get(key);
    if (!ks) {
      ks = {
        key,
        family,
        topic,
        areaKey,
        regionKey,
        windows: this.config.windowsMs.map((ms) => new Window(ms)),
        history: 0,
      };
      this.keys.set(key, ks);
    }
    return ks;
  }

  /** Adds to every window; returns true when this is a new episode for the longest window. */
  private addEntry(ks: KeyState, e: Entry): boolean {
    let fresh = false;
    const longest = ks.windows.length - 1;
    for (let w = 0; w < ks.windows.length; w++) {
      const win = ks.windows[w];
      if (w === longest) win.evict(this.now, (gone) => this.retire(ks, gone));
      else win.evict(this.now);
      const f = win.add(e);
      if (w === longest) fresh = f;
    }
    return fresh;
  }

  /** An episode left the longest window: it becomes baseline unless a problem explained it. */
  private retire(ks: KeyState, e: Entry) {
    if (!e.problemId) ks.history++;
  }

  private touch(problemId: string, at: number) {
    const p = this.problems.get(problemId);
    if (p && at > p.lastEventAt) p.lastEventAt = at;
  }

  private active(problemId: string | undefined): ProblemView | undefined {
    if (!problemId) return undefined;
    const p = this.problems.get(problemId);
    return p && this.live(p) ? p : undefined;
  }

  /**
   * Open and still drawing complaints. An automatic problem that went quiet stops claiming new
   * complaints (and expires later); one a person works on stays live until closed.
   */
  private live(p: ProblemView): boolean {
    if (p.status === 'closed') return false;
    return p.human || this.now - p.lastEventAt <= this.config.liveQuietMs;
  }

  /**
   * The problem a new complaint belongs to, if any. A complaint on a linked case follows its
   * case. Otherwise each live area problem whose place and topic fit is a candidate, and the
   * complaint joins the best one only when it more likely belongs to it than to the usual
   * background: the share of the matching key's recent complainers that is excess over its
   * baseline (split between problems competing for the same key) must reach `linkPosterior`.
   * Inside the problem's area that key is the problem's own; for a complaint naming a coarser
   * place or none, it is the complaint's topic at that coarser level (so a country-wide flood
   * of background complaints of one topic never drifts into a local problem).
   */
  private matchOnArrival(
    caseId: string | null,
    topic: string,
    chain: string[],
    termKeys: string[],
  ): string | null {
    if (caseId) {
      const viaCase = this.active(this.caseProblem.get(caseId));
      if (viaCase) return viaCase.id;
    }
    const group = this.groupOf(topic);
    const cands: { id: string; key: string; weight: number }[] = [];
    for (const p of this.problems.values()) {
      if (p.kind !== 'area' || !p.areaKey || !this.live(p)) continue;
      let key: string | null = null;
      if (chain.includes(p.areaKey)) {
        const exact = `${topic}@${p.areaKey}`;
        const grp = group ? `${group}@${p.areaKey}` : null;
        if (p.keys.includes(exact) || p.topic === topic) key = exact;
        else if (grp && p.keys.includes(grp)) key = grp;
      } else if (p.topic === topic && p.chain.includes(chain[0])) {
        key = `${topic}@${chain[0]}`;
      }
      if (!key) continue;
      const weight = Math.max(...p.keys.map((k) => this.excess(k).excess));
      cands.push({ id: p.id, key, weight });
    }
    let best: string | null = null;
    let bestPost = 0;
    for (const c of cands) {
      let total = 0;
      for (const o of cands) if (o.key === c.key) total += o.weight;
      const { share } = this.excess(c.key);
      const post = total > 0 ? (share * c.weight) / total : 0;
      if (post > bestPost) {
        bestPost = post;
        best = c.id;
      }
    }
    if (best && bestPost >= this.config.linkPosterior) return best;
    for (const k of termKeys) {
      const p = this.active(this.ownedBy.get(k));
      if (p) return p.id;
    }
    return null;
  }

  /** Recent distinct complainers of a key above its baseline (count and share of observed). */
  private excess(key: string): { excess: number; share: number } {
    const ks = this.keys.get(key);
    if (!ks || this.firstAt === null) return { excess: 0, share: 0 };
    const win = ks.windows[Math.min(this.config.linkWindow, ks.windows.length - 1)];
    win.evict(this.now);
    const obs = win.size;
    if (obs === 0) return { excess: 0, share: 0 };
    const ex = Math.max(0, obs - this.expected(ks, win.ms));
    return { excess: ex, share: ex / obs };
  }

  private related(a: string, b: string): boolean {
    if (a === b) return true;
    const ga = a.startsWith('g:') ? a : this.groupOf(a);
    const gb = b.startsWith('g:') ? b : this.groupOf(b);
    return ga !== null && ga === gb;
  }

  private groupOf(topic: string): string | null {
    const i = this.config.topicGroups.findIndex((g) => g.includes(topic));
    return i < 0 ? null : `g:${i}`;
  }

  private testAreaKey(key: string, areaKey: string, c: Complaint, out: Decision[]) {
    const ks = this.keys.get(key)!;
    const owner = this.active(this.ownedBy.get(key));
    if (owner) {
      if (owner.status === 'suspected') {
        const strong = this.significant(ks, this.config.minCustomers * 3, this.config.strongAlpha);
        if (strong) {
          out.push({ type: 'confirm', problemId: owner.id, at: c.at, baseline: strong });
          owner.status = 'confirmed';
        }
      }
      return;
    }
    const hit = this.significant(ks, this.config.minCustomers, this.config.alpha);
    if (!hit) return;
    const chain = chainOfKey(areaKey, c.area);
    // One root cause, one problem: a nested detection of the same topic is the same problem
    // seen from another level; a related topic in the same or a nested area is triage's topic
    // confusion around it (except country-wide, where unrelated troubles do coincide).
    for (const p of this.problems.values()) {
      // A young text cluster in the same place is this trouble already, found by its words.
      if (
        p.kind === 'text' &&
        p.areaKey &&
        areaKey !== ALL &&
        this.live(p) &&
        this.now - p.detectedAt <= this.config.mergeWindowMs &&
        (chain.includes(p.areaKey) || p.chain.includes(areaKey))
      ) {
        this.own(p, key, ks, out);
        return;
      }
      if (!this.live(p) || p.kind !== 'area' || !p.topic || !p.areaKey) continue;
      if (!this.related(p.topic, ks.topic!)) continue;
      const isNested = chain.includes(p.areaKey) || p.chain.includes(areaKey);
      if (!isNested) continue;
      if (p.topic !== ks.topic && areaKey === ALL) {
        // A country-wide excess of a topic while a local problem of it is young: the local
        // trouble's complaints that name no place (they count only country-wide).
        if (p.areaKey !== ALL && this.now - p.detectedAt <= this.config.mergeWindowMs) return;
        continue;
      }
      if (p.areaKey === ALL && areaKey !== ALL) {
        // A country-wide detection that turns out to be local: the problem gets its place —
        // when the local excess is of the problem's own topic and began with it (a local
        // outage under a country-wide device problem is another root cause).
        if (topicShare(this.members(ks), p.topic) < 0.25) continue;
        if (this.now - p.detectedAt > this.config.mergeWindowMs) continue;
        const area = areaAtLevel(c.area, areaKey);
        out.push({ type: 'refine', problemId: p.id, at: c.at, areaKey, area, key });
        p.areaKey = areaKey;
        p.chain = chain;
        this.own(p, key, ks, out);
        return;
      }
      if (p.areaKey === areaKey && p.topic !== ks.topic) this.own(p, key, ks, out);
      return;
    }
    const problemId = newId();
    const members = this.members(ks);
    const topic = ks.topic!.startsWith('g:') ? majorityTopic(members) : ks.topic;
    const confirmed =
      hit.observed >= this.config.minCustomers * 3 && hit.pValue <= this.config.strongAlpha;
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
    this.adopt(problemId, 'area', topic, areaKey, [key], c.at, confirmed, chain);
    for (const m of this.linkable(ks))
      if (!m.problemId) out.push(this.linkEntry(problemId, m, 'detected'));
  }

  /** The problem takes over a key (a confused topic in its place) and the key's complaints. */
  private own(p: ProblemView, key: string, ks: KeyState, out: Decision[]) {
    out.push({ type: 'own', problemId: p.id, key });
    p.keys.push(key);
    this.ownedBy.set(key, p.id);
    for (const m of this.linkable(ks)) {
      if (!m.problemId) out.push(this.linkEntry(p.id, m, 'merged'));
    }
  }

  private testTextKey(key: string, out: Decision[]): boolean {
    if (this.ownedBy.has(key)) return false;
    const ks = this.keys.get(key)!;
    const cfg = this.config.text;
    const hit = this.significant(ks, cfg.minCustomers, cfg.alpha);
    if (!hit) return false;
    const members = this.members(ks);
    const linked = members.filter((m) => m.problemId).length;
    if (linked / members.length > cfg.maxLinkedShare) return false;
    const tight = tightness(members.map((m) => m.sig!).filter(Boolean));
    if (tight < cfg.minTightness) return false;
    const area = dominantArea(members);
    if (area) {
      // A young area problem in the same place is this trouble already, found by its place.
      const chainT = chainOfKey(area.key, area.area);
      for (const p of this.problems.values()) {
        if (p.kind !== 'area' || !p.areaKey || p.areaKey === ALL || !this.live(p)) continue;
        if (this.now - p.detectedAt > this.config.mergeWindowMs) continue;
        if (chainT.includes(p.areaKey) || p.chain.includes(area.key)) return false;
      }
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
      at: this.now,
      firstAt: members[0]?.at ?? this.now,
      confirmed: false,
      baseline: hit,
      tightness: tight,
    });
    this.adopt(problemId, 'text', null, area?.key ?? null, [key], this.now);
    for (const m of members) if (!m.problemId) out.push(this.linkEntry(problemId, m, 'detected'));
    return true;
  }

  private adopt(
    id: string,
    kind: ProblemKind,
    topic: string | null,
    areaKey: string | null,
    keys: string[],
    at: number,
    confirmed = false,
    chain: string[] = areaKey ? chainOfKey(areaKey, null) : [],
  ) {
    this.problems.set(id, {
      id,
      kind,
      status: confirmed ? 'confirmed' : 'suspected',
      topic,
      areaKey,
      keys: [...keys],
      chain,
      lastEventAt: at,
      detectedAt: at,
      fixedAt: null,
      human: false,
    });
    for (const k of keys) this.ownedBy.set(k, id);
  }

  private linkEntry(
    problemId: string,
    e: Entry,
    reason: 'detected' | 'merged' | 'arrival',
  ): Decision {
    e.problemId = problemId;
    if (e.caseId) this.caseProblem.set(e.caseId, problemId);
    this.touch(problemId, e.at);
    return { type: 'link', problemId, member: member(e), reason };
  }

  /**
   * The key's complainers that more likely belong to an excess than to the baseline: those of
   * the longest window whose share above baseline reaches `linkPosterior` (none when no window
   * does: a country-wide excess over a large background links only what comes with evidence).
   */
  private linkable(ks: KeyState): Entry[] {
    for (let w = ks.windows.length - 1; w >= 0; w--) {
      const win = ks.windows[w];
      win.evict(this.now);
      const obs = win.size;
      if (obs === 0) continue;
      const share = Math.max(0, obs - this.expected(ks, win.ms)) / obs;
      if (share >= this.config.linkPosterior) return this.members(ks, w);
    }
    return [];
  }

  /** Distinct-customer entries of a window (the longest by default), oldest first. */
  private members(ks: KeyState, w = ks.windows.length - 1): Entry[] {
    const win = ks.windows[w];
    if (w === ks.windows.length - 1) win.evict(this.now, (gone) => this.retire(ks, gone));
    else win.evict(this.now);
    const seen = new Set<string>();
    const out: Entry[] = [];
    for (const e of win.entries()) {
      if (seen.has(e.customerId)) continue;
      seen.add(e.customerId);
      out.push(e);
    }
    return out;
  }

  /** The most significant persistent window of a key, or null. */
  private significant(ks: KeyState, min: number, alpha: number): Baseline | null {
    let best: Baseline | null = null;
    const longest = ks.windows.length - 1;
    for (let w = 0; w < ks.windows.length; w++) {
      const win = ks.windows[w];
      if (w === longest) win.evict(this.now, (gone) => this.retire(ks, gone));
      else win.evict(this.now);
      const n = win.size;
      if (n < min) continue;
      const expected = this.expected(ks, win.ms);
      if (n <= expected) continue;
      const p = overdispersedTail(n, expected, this.dispersionOf(ks));
      if (p > alpha || (best && p >= best.pValue)) continue;
      if (!this.persistent(win)) continue;
      best = {
        key: ks.key,
        windowMinutes: win.ms / 60_000,
        observed: n,
        expected: Math.round(expected * 1000) / 1000,
        pValue: p,
      };
    }
    return best;
  }

  /**
   * How sure the key's baseline is (negative binomial shape r = 1 / CV²): its rate is learned
   * from `history` episodes (a Gamma posterior's CV² is 1 / count) and days differ besides
   * (`dayVariation`, a CV). A key with long history is tested almost as Poisson; a young or
   * rare one needs a larger relative excess. `dispersion` caps r (Infinity: no cap).
   */
  private dispersionOf(ks: KeyState): number {
    const { dayVariation, dispersion } = this.config;
    if (dayVariation <= 0 && !Number.isFinite(dispersion)) return dispersion;
    const cv2 = 1 / (ks.history + this.config.dispersionPrior) + dayVariation * dayVariation;
    return Math.min(dispersion, 1 / cv2);
  }

  /** The excess lasts: complaints spread over time, not one burst (a blip pages no one). */
  private persistent(win: Window): boolean {
    const { persistMs, persistBuckets, bucketMs } = this.config;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    const buckets = new Set<number>();
    const seen = new Set<string>();
    // Stops as soon as it holds: a big excess is persistent after a few entries.
    for (let i = win.head; i < win.queue.length; i++) {
      const e = win.queue[i];
      if (seen.has(e.customerId)) continue;
      seen.add(e.customerId);
      if (e.at < min) min = e.at;
      if (e.at > max) max = e.at;
      buckets.add(Math.floor(e.at / bucketMs));
      if (max - min >= persistMs && buckets.size >= persistBuckets) return true;
    }
    return false;
  }

  /**
   * Expected distinct complainers of a key over the last `ms` of event time: the larger of
   * (a) its own rate, shrunk towards a prior, times the seasonal profile over the window, and
   * (b) its usual share of all complaints times the complaints actually seen in the window.
   * (b) absorbs what the seasonal model cannot know yet (the first days, a global surge, a
   * quiet holiday); (a) keeps a key with its own rhythm from looking anomalous.
   */
  private expected(ks: KeyState, ms: number): number {
    const longestMs = ks.windows[ks.windows.length - 1].ms;
    const hours = Math.max(1, (this.now - this.firstAt! - longestMs) / HOUR);
    const allHours = Math.max(1, (this.now - this.firstAt!) / HOUR);
    const globalRate = Math.max(1, this.totalEpisodes) / allHours;
    let priorShare: number;
    if (ks.family === 'area') {
      const topics = ks.topic!.startsWith('g:')
        ? this.config.topicGroups[Number(ks.topic!.slice(2))]
        : [ks.topic!];
      let n = 0;
      for (const t of topics) n += (this.topicEpisodes.get(t) ?? 0) + 1;
      const topicShare = n / (this.totalEpisodes + 9);
      const areaShare =
        ks.areaKey === ALL
          ? 1
          : ((this.areaCustomers.get(ks.areaKey!) ?? 0) + 0.5) / (this.seenCustomer.size + 1);
      priorShare = topicShare * areaShare;
    } else if (ks.family === 'text') {
      const term = ks.key.slice(2);
      priorShare = ((this.termDocs.get(term) ?? 0) + 0.1) / (this.totalDocs + 1);
    } else {
      const rate = Math.max(1, this.processTotal) / allHours / Math.max(1, this.processTeams.size);
      const r = (ks.history + this.config.priorHours * rate) / (hours + this.config.priorHours);
      return Math.max(1e-5, r) * (ms / HOUR);
    }
    const ph = this.config.priorHours;
    const rate = Math.max(1e-5, (ks.history + ph * globalRate * priorShare) / (hours + ph));
    const seasonal = rate * this.seasonal.integrate(this.now - ms, this.now);
    // The share baseline, against the complaints of the key's own region when it has enough
    // history (a state's day follows its own clock, not the country's mix of time zones), and
    // against the OTHER complaints in the window, so an excess does not raise its own bar.
    let global = this.keys.get(GLOBAL)!;
    if (ks.regionKey && ks.areaKey !== ALL) {
      const regional = this.keys.get(`${GLOBAL}@${ks.regionKey}`);
      if (regional && regional.history >= this.config.priorEpisodes / 3) {
        const regionShare =
          ((this.areaCustomers.get(ks.areaKey!) ?? 0) + 0.5) /
          ((this.areaCustomers.get(ks.regionKey) ?? 0) + 1);
        priorShare = (priorShare / Math.max(1e-9, areaShareOf(this, ks))) * regionShare;
        global = regional;
      }
    }
    const m = this.config.priorEpisodes;
    const share = Math.min(0.95, (ks.history + m * priorShare) / (global.history + m));
    const win = global.windows.find((w) => w.ms === ms)!;
    const own = ks.windows.find((w) => w.ms === ms)!;
    const others = Math.max(0, win.size - own.size);
    return Math.max(seasonal, (share / (1 - share)) * others);
  }
}

/** The key's place's share of all customers (the prior's area factor). */
function areaShareOf(d: Detector, ks: KeyState): number {
  return d.areaShare(ks.areaKey);
}

function topicShare(members: Entry[], topic: string | null): number {
  if (!topic || members.length === 0) return 0;
  let n = 0;
  for (const m of members) if (m.topic === topic) n++;
  return n / members.length;
}

function majorityTopic(members: Entry[]): string | null {
  const n = new Map<string, number>();
  for (const m of members) if (m.topic) n.set(m.topic, (n.get(m.topic) ?? 0) + 1);
  let best: string | null = null;
  let bestN = 0;
  for (const [t, c] of n) {
    if (c > bestN) {
      best = t;
      bestN = c;
    }
  }
  return best;
}

function member(e: Entry): Member {
  return { ref: e.ref, caseId: e.caseId, customerId: e.customerId, at: e.at };
}

/** The most specific area shared by at least 60 % of members (for text clusters). */
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
  let best: { key: string; area: ReturnType<typeof areaAtLevel> } | null = null;
  let bestRank = -1;
  for (const [k, c] of counts) {
    if (c.n < 0.6 * members.length) continue;
    const rank = k.startsWith('p:') ? 3 : k.startsWith('t:') ? 2 : 1;
    if (rank > bestRank) {
      bestRank = rank;
      best = { key: k, area: areaAtLevel(c.area, k) };
    }
  }
  return best;
}
