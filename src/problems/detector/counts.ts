import type { Area } from '../../triage/index.js';
import { AreaPrior } from './area-prior.js';
import { ALL } from './areas.js';
import { excessBeyond } from './beyond.js';
import { excessOnset } from './change-point.js';
import type { DetectorConfig } from './config.js';
import { DaySwing, halfDays } from './day-swing.js';
import { ProblemJoins } from './episode.js';
import { type KeyPrior, keyPrior } from './key-prior.js';
import { RegionalSeasons, type Shape } from './region-clock.js';
import { SeasonalProfile } from './seasonal.js';
import { overdispersedTail } from './stats.js';
import type { Baseline } from './types.js';
import {
  type Entry,
  explain,
  type KeyFamily,
  type KeyState,
  type Learned,
  Window,
} from './window.js';

const HOUR = 3_600_000;
/** Every complaint, whatever its topic and area: the denominator of the share baseline. */
export const GLOBAL = '*';
/** The topic of keys that count every topic of one place (`*@t:US:TX:austin`). */
export const ANY_TOPIC = '*';

/**
 * What the detector has counted, in event time: per key (topic × area, content term, process
 * team) the distinct complainers of each sliding window and the episodes that became baseline,
 * plus the totals its priors are built from (topic, term and area shares, the seasonal profile).
 * Answers the statistical questions: what a key is expected to count, whether its excess is
 * significant and persistent, and which of its complainers are more likely excess than baseline.
 */
export class Counts {
  readonly keys = new Map<string, KeyState>();
  private readonly seasonal = new SeasonalProfile();
  /** Each region's, or the country's on the region's clock (`region-clock.ts`). */
  private readonly regionSeasonal = new RegionalSeasons(this.seasonal);
  private readonly topicEpisodes = new Map<string, number>();
  private totalEpisodes = 0;
  private readonly termDocs = new Map<string, number>();
  private totalDocs = 0;
  private readonly areas = new AreaPrior();
  private processTotal = 0;
  private readonly processTeams = new Set<string>();
  firstAt: number | null = null;
  now = 0;
  /** How much places swing from day to day, learned every half day (`day-swing.ts`). */
  private readonly swing: DaySwing;
  /** When each customer joined each problem (`episode.ts`: follow-ups are no new evidence). */
  readonly joins = new ProblemJoins();

  constructor(private readonly config: DetectorConfig) {
    const { minExpected, priorDays } = config.daySwing;
    this.swing = new DaySwing(config.dayVariation, minExpected, priorDays);
  }

  advance(at: number) {
    if (this.firstAt === null || at < this.firstAt) this.firstAt = at;
    if (at > this.now) this.now = at;
    if (this.config.daySwing.learn && this.swing.due(this.now) && !this.cold)
      this.swing.record(halfDays(this, this.config.dispersionPrior));
  }

  /** Every inbound customer message: teaches how customers spread over areas. */
  observeMessage(customerId: string, area: Area | null): void {
    this.areas.observe(customerId, area);
  }

  /** What the customer's message just observed taught the area prior (for its complaint). */
  takeLearned(customerId: string): Learned | undefined {
    return this.areas.take(customerId);
  }

  /**
   * Links an entry to a problem (`window.ts` `explain`) and takes its customer out of the
   * area prior when this complaint put them there (`AreaPrior`).
   */
  explain(e: Entry, problemId: string): void {
    explain(e, problemId);
    this.joins.note(problemId, e.customerId, e.at);
    const l = e.learned;
    e.learned = undefined;
    if (l && this.config.forgetExplained) this.areas.forget(e.customerId, l);
  }

  /** A complaint episode (a customer new to its topic's country-wide window). */
  countEpisode(topic: string, at: number, region: string | null): void {
    this.seasonal.add(at);
    this.regionSeasonal.add(region, at);
    this.totalEpisodes++;
    this.topicEpisodes.set(topic, (this.topicEpisodes.get(topic) ?? 0) + 1);
  }

  /** A term's usual share of complaints (its document frequency), and how many used it. */
  termShare(term: string): { share: number; docs: number } {
    const docs = this.termDocs.get(term) ?? 0;
    return { share: (docs + 0.1) / (this.totalDocs + 1), docs };
  }

  /** One complaint's content terms, for their usual document frequency. */
  countDoc(terms: string[]): void {
    this.totalDocs++;
    for (const t of terms) this.termDocs.set(t, (this.termDocs.get(t) ?? 0) + 1);
  }

  /** One process signal of a team (`fresh`: a customer new to the key's window). */
  countProcess(teamId: string, fresh: boolean): void {
    if (fresh) this.processTotal++;
    this.processTeams.add(teamId);
  }

  keyState(
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
  addEntry(ks: KeyState, e: Entry): boolean {
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
  retire(ks: KeyState, e: Entry) {
    if (!e.problemId) ks.history++;
  }

  /**
   * The key's complainers that more likely belong to an excess than to the baseline: from the
   * onset that best explains the longest window (`change-point.ts`), so the background before it
   * is left alone, when their share above baseline reaches `linkPosterior` (none otherwise: a
   * country-wide excess over a large background links only what comes with evidence).
   */
  linkable(ks: KeyState): Entry[] {
    const members = this.members(ks).filter((m) => !m.problemId);
    if (members.length === 0) return [];
    members.sort((a, b) => a.at - b.at);
    const longest = ks.windows[ks.windows.length - 1].ms;
    const profile = this.profileOf(ks);
    const whole = this.expected(ks, longest);
    const wholeShape = profile.integrate(this.now - longest, this.now);
    // Expected background from each member's time to now.
    const since = members.map((m) => {
      const span = this.now - m.at;
      return wholeShape > 0
        ? (whole * profile.integrate(this.now - span, this.now)) / wholeShape
        : (whole * span) / longest;
    });
    const start = excessOnset(since, this.config.linkPosterior);
    if (start < 0) return [];
    const out = members.slice(start);
    // A key that counts several topics (a group, every topic) links a complaint only when its
    // own topic's count in the place is mostly excess too: the topic is evidence.
    if (ks.family !== 'area' || !(ks.topic === ANY_TOPIC || ks.topic!.startsWith('g:'))) return out;
    return out.filter(
      (m) => this.excess(`${m.topic}@${ks.areaKey}`).share >= this.config.linkPosterior,
    );
  }

  /** Distinct-customer entries of a window (the longest by default), oldest first. */
  members(ks: KeyState, w = ks.windows.length - 1): Entry[] {
    const win = ks.windows[w];
    if (w === ks.windows.length - 1) win.evict(this.now, (gone) => this.retire(ks, gone));
    else win.evict(this.now);
    const seen = new Set<string>();
    const out: Entry[] = [];
    // The queue read in place: copying it (`entries`) for every question cost its size again.
    for (let i = win.head; i < win.queue.length; i++) {
      const e = win.queue[i];
      if (seen.has(e.customerId)) continue;
      seen.add(e.customerId);
      out.push(e);
    }
    return out;
  }

  /**
   * The same customers as `members` (each one's first entry in the window), in no particular
   * order, with how many of those entries name an area: kept as entries come and go, not read
   * from the window's whole queue (`FirstEntries`).
   */
  firsts(ks: KeyState, w = ks.windows.length - 1) {
    const win = ks.windows[w];
    if (w === ks.windows.length - 1) win.evict(this.now, (gone) => this.retire(ks, gone));
    else win.evict(this.now);
    return win.firsts();
  }

  /**
   * The most significant persistent window of a key, or null. Counts the customers no problem
   * explains yet (`all`: every customer, for a problem's own keys, as in confirming it).
   */
  significant(
    ks: KeyState,
    min: number,
    alpha: number,
    all = false,
    upTo = ks.windows.length - 1,
  ): Baseline | null {
    let best: Baseline | null = null;
    const longest = ks.windows.length - 1;
    for (let w = 0; w <= upTo; w++) {
      const win = ks.windows[w];
      if (w === longest) win.evict(this.now, (gone) => this.retire(ks, gone));
      else win.evict(this.now);
      const n = all ? win.size : win.unexplained;
      if (n < min) continue;
      const expected = this.expected(ks, win.ms);
      if (n <= expected) continue;
      const p = overdispersedTail(n, expected, this.dispersionOf(ks));
      if (p > alpha || (best && p >= best.pValue)) continue;
      if (!this.persistent(ks, win, expected, min, alpha, all)) continue;
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
   * Whether a significant window's excess persists. `persists` (its complainers span
   * `persistMs`), or, for a burst that has no other complainers around it in its window (`persists`
   * needs the window's complainers to span `persistMs`, which background traffic gives a busy
   * key at once, but a quiet key only once the trouble has gone on that long): its complainers
   * outside its busiest `bucketMs` are at least `min` and significant against the whole
   * window's expected count by themselves. Forty customers within seven minutes then raise
   * during the burst; a handful within a few minutes (a blip) still do not.
   */
  persistent(
    ks: KeyState,
    win: Window,
    expected: number,
    min: number,
    alpha: number,
    all: boolean,
  ): boolean {
    if (win.persists(this.config, all)) return true;
    const rest = win.outsideBusiest(this.config.bucketMs, all);
    if (rest < min || rest <= expected) return false;
    return overdispersedTail(rest, expected, this.dispersionOf(ks)) <= alpha;
  }

  /**
   * How sure the key's baseline is (negative binomial shape r = 1 / CV²): its rate is learned
   * from `history` episodes (a Gamma posterior's CV² is 1 / count) and days differ besides
   * (`dayVariation`, a CV; for a place, as much as the desk's places of its level were seen to
   * swing, `day-swing.ts`). A key with long history is tested almost as Poisson; a young or
   * rare one needs a larger relative excess. `dispersion` caps r (Infinity: no cap).
   */
  dispersionOf(ks: KeyState): number {
    const { dayVariation, dispersion, daySwing } = this.config;
    if (dayVariation <= 0 && !Number.isFinite(dispersion)) return dispersion;
    const day =
      daySwing.learn && ks.family === 'area' ? this.swing.cv2(ks.areaKey) : dayVariation ** 2;
    const cv2 = 1 / (ks.history + this.config.dispersionPrior) + day;
    return Math.min(dispersion, 1 / (cv2 + this.priorDoubt(ks)));
  }

  /**
   * How much a single-topic area key's baseline is unsure for its prior's share being learned
   * from few customers (`key-prior.ts`): that share's CV², weighted by the prior's part in
   * the key's rate (a key with its own long history hardly depends on it).
   */
  private priorDoubt(ks: KeyState): number {
    if (ks.family !== 'area' || this.firstAt === null) return 0;
    const prior = this.priorOf(ks);
    if (prior.cv2 === 0) return 0;
    const allHours = Math.max(1, (this.now - this.firstAt) / HOUR);
    const globalRate = Math.max(1, this.totalEpisodes) / allHours;
    const pseudo = this.config.priorHours * globalRate * prior.share;
    const weight = pseudo / (ks.history + pseudo);
    return prior.cv2 * weight * weight;
  }

  /** Complaint episodes an hour over all the event time seen (0 while cold). */
  episodesPerHour(): number {
    if (this.firstAt === null || this.cold) return 0;
    return this.totalEpisodes / Math.max(1, (this.now - this.firstAt) / HOUR);
  }

  /** The desk's first `warmupMs` of event time: no baseline yet (`cold-start.ts`). */
  get cold(): boolean {
    return this.firstAt !== null && this.now - this.firstAt < this.config.warmupMs;
  }

  /**
   * Cold, a key is expected to count its prior share (learned without its own complainers,
   * `key-prior.ts`) of the desk's other complainers in window `w`; a key of several topics, no
   * more than all of them.
   */
  coldExpected(ks: KeyState, w: number): number {
    const all = this.keys.get(GLOBAL)!.windows[w];
    all.evict(this.now);
    ks.windows[w].evict(this.now);
    const others = Math.max(1, all.size - ks.windows[w].size);
    const prior = ks.family === 'area' ? this.priorOf(ks) : null;
    if (!prior || prior.cv2 === 0) return others;
    return Math.max(0.05, (prior.share / (1 - prior.share)) * others);
  }

  /** Recent distinct complainers of a key above its baseline (count and share of observed). */
  excess(key: string, window = this.config.linkWindow): { excess: number; share: number } {
    const ks = this.keys.get(key);
    if (!ks || this.firstAt === null) return { excess: 0, share: 0 };
    const w = Math.min(window, ks.windows.length - 1);
    const win = ks.windows[w];
    win.evict(this.now);
    const obs = win.size;
    if (obs === 0) return { excess: 0, share: 0 };
    const expected = this.cold
      ? this.coldExpected(ks, w)
      : this.expected(ks, win.ms, { knownApart: this.config.linkApart });
    const ex = Math.max(0, obs - expected);
    return { excess: ex, share: ex / obs };
  }

  /** Whether some topics are in excess outside some places (`beyond.ts`). */
  excessBeyond(topics: string[], places: string[]): boolean {
    return excessBeyond(this, this.config, topics, places);
  }

  /** An area key's prior share of complaints (`key-prior.ts`). */
  priorOf(ks: KeyState): KeyPrior {
    return keyPrior(ks, this.config, this.topicEpisodes, this.totalEpisodes, this.areas, this.cold);
  }

  /** Share of customers seen in an area (1 for the whole country). */
  areaShare(areaKey: string | null): number {
    return this.areas.share(areaKey);
  }

  /** Share of the customers whose place is known seen in an area (not `config.placedShare`). */
  shareOfPlaced(areaKey: string): number {
    return this.areas.shareOfPlaced(areaKey);
  }

  /** An area's usual share among the customers named in one of its parent's inner areas. */
  shareWithin(areaKey: string, parentKey: string): number {
    return this.areas.shareWithin(areaKey, parentKey);
  }

  /** The daily shape a key follows: its region's once learned, else the country's on its clock. */
  private profileOf(ks: KeyState): Shape {
    const region = ks.regionKey ?? (ks.areaKey?.startsWith('r:') ? ks.areaKey : null);
    return this.regionSeasonal.of(region, this.now);
  }

  /**
   * Expected distinct complainers of a key over the last `ms` of event time: the larger of
   * (a) its own rate, shrunk towards a prior, times the seasonal profile over the window, and
   * (b) its usual share of all complaints times the complaints actually seen in the window.
   * (b) absorbs what the seasonal model cannot know yet (the first days, a global surge, a
   * quiet holiday); (a) keeps a key with its own rhythm from looking anomalous.
   */
  expected(
    ks: KeyState,
    ms: number,
    {
      knownApart = false,
      seasonalOnly = false,
    }: { knownApart?: boolean; seasonalOnly?: boolean } = {},
  ): number {
    const longestMs = ks.windows[ks.windows.length - 1].ms;
    const hours = Math.max(1, (this.now - this.firstAt! - longestMs) / HOUR);
    const allHours = Math.max(1, (this.now - this.firstAt!) / HOUR);
    const globalRate = Math.max(1, this.totalEpisodes) / allHours;
    let priorShare: number;
    let prior: KeyPrior | null = null;
    if (ks.family === 'area') {
      prior = this.priorOf(ks);
      priorShare = prior.share;
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
    const seasonal = rate * this.profileOf(ks).integrate(this.now - ms, this.now);
    if (seasonalOnly) return seasonal;
    // The share baseline, against the complaints of the key's own region when it has enough
    // history (a state's day follows its own clock, not the country's mix of time zones), and
    // against the OTHER complaints in the window, so an excess does not raise its own bar.
    let global = this.keys.get(GLOBAL)!;
    if (ks.regionKey && ks.areaKey !== ALL) {
      const regional = this.keys.get(`${GLOBAL}@${ks.regionKey}`);
      if (regional && regional.history >= this.config.priorEpisodes / 3) {
        const regionShare = this.areas.shareOfRegion(ks.areaKey!, ks.regionKey, prior!.own);
        priorShare = (priorShare / Math.max(1e-9, prior!.areaShare)) * regionShare;
        global = regional;
      }
    }
    const m = this.config.priorEpisodes;
    const share = Math.min(0.95, (ks.history + m * priorShare) / (global.history + m));
    const win = global.windows.find((w) => w.ms === ms)!;
    const own = ks.windows.find((w) => w.ms === ms)!;
    // For linking (`knownApart`), complaints a problem already explains are left out too: a
    // region-wide trouble filed under five topics would otherwise lift each topic's expected
    // count with the other four's complaints, and its own complaints would stop linking.
    const others = knownApart
      ? Math.max(0, win.unexplained - own.unexplained)
      : Math.max(0, win.size - own.size);
    return Math.max(seasonal, (share / (1 - share)) * others);
  }
}
