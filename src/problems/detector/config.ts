/**
 * Detector tuning. Defaults were chosen on the simulator's scenarios (eval/problems: the `week`
 * scenario, then the seed-drawn `eval` scenario with real twcs background text); most are
 * statistical (significance, posterior) rather than fitted to incident shapes.
 */
export interface DetectorConfig {
  /** Sliding windows (event time) in which distinct complainers are counted. */
  windowsMs: number[];
  /** Never raise on fewer distinct customers than this. */
  minCustomers: number;
  /** Tail probability below which an excess is significant. */
  alpha: number;
  /**
   * The same for a key that counts several topics (a topic group, every topic). Stricter: such
   * a key is a place's busiest, so a background swing reaches `minCustomers` there first, and
   * every complaint is tested again under it; 5 of the 8 false problems on seeds 10–12 were
   * such swings of unrelated topics at p 2e-6–1e-5 (eval/problems/MISSES.md). Also for the topic
   * `other`: what triage cannot name is a mix of troubles too (4 of the outside-style set's 16
   * false problems were `other` of a city or state, none of its true ones).
   */
  mixedAlpha: number;
  /**
   * Complaint episodes an hour (`Counts.episodesPerHour`) up to which `alpha` and `mixedAlpha`
   * hold; a busier desk's are scaled by `alphaRate` / its rate (0: never scaled). A busier desk
   * has more place-and-topic keys that can reach `minCustomers` by chance, and its coincidences
   * grow about in proportion: at one alpha, the outside-style desks of about 6, 65 and 305
   * episodes an hour showed 0, 0.9 and 4.2 false problems a week (three draws each). The
   * simulator's desks run at 35–50.
   */
  alphaRate: number;
  /**
   * Cap on the shape of the baseline's uncertainty (negative binomial r: relative spread 1/√r;
   * the detector derives r per key from its history and `dayVariation`). The tail test is
   * Poisson for small counts and demands a real relative excess for large ones.
   */
  dispersion: number;
  /** Day-to-day variation of a key's rate beyond Poisson (a coefficient of variation). */
  dayVariation: number;
  /** Pseudo-episodes of the baseline's prior in that uncertainty (how much the prior is worth). */
  dispersionPrior: number;
  /**
   * Learn each area level's day-to-day variation from the desk's busy keys (`day-swing.ts`):
   * keys whose baseline expects at least `minExpected` complainers in a UTC day are sampled
   * every day; the estimate is shrunk toward `dayVariation` as if that were worth `priorDays`
   * days of samples.
   */
  daySwing: { learn: boolean; minExpected: number; priorDays: number };
  /** Raise as `confirmed` (not `suspected`) at or below this, with 3× minCustomers. */
  strongAlpha: number;
  /** Persistence: the window's complaints must span at least this long … */
  persistMs: number;
  /** … and fall into at least this many distinct buckets of `bucketMs`. */
  persistBuckets: number;
  bucketMs: number;
  /** Weight (hours) of the prior rate against a key's own history (empirical-Bayes shrinkage). */
  priorHours: number;
  /** The same shrinkage for the share baseline, in complaint episodes. */
  priorEpisodes: number;
  /** No raising before this much event time has been observed (cold start). */
  warmupMs: number;
  /**
   * A new complaint joins a problem only when it more likely belongs to it than to the usual
   * background: the excess share of the matching key's recent complainers reaches this.
   */
  linkPosterior: number;
  /** Index into `windowsMs` of the window that share is measured in. */
  linkWindow: number;
  /** The window a complaint naming no place is judged over (`matchOnArrival`'s coarse keys). */
  coarseLinkWindow: number;
  /**
   * A complaint for a local problem (inside its place, naming no place, or using a word it
   * owns) or using a text cluster's word is judged over this shorter window too (null: not).
   * The link window (4 hours) stays full of a finished burst's complainers for hours: a
   * California outage's problem took the state's everyday complaints of every related topic
   * for two hours after it ended, and each one linked kept it looking alive.
   */
  recentLinkWindow: number | null;
  /** A country-wide problem takes a nested local detection's place only this soon after it opened. */
  mergeWindowMs: number;
  /** Fill in a complaint's missing area from its case, its customer or its phone's area code. */
  inferArea: boolean;
  /**
   * How customers spread over areas (the prior of every local baseline) is learned from
   * messages no problem explains: a complaint linked to a problem takes back the customer it
   * added to its areas' counts (`Counts.explain`).
   */
  forgetExplained: boolean;
  /**
   * A single-topic key's prior leaves out its own recent complainers as far as they dominate
   * what is known of its place and topic (`key-prior.ts`): before a problem explains them.
   */
  leaveOwnOut: boolean;
  /**
   * In a desk's first hours (`cold-start.ts`), a place's topic group (outage and network) is
   * tested too, its prior leaving out its own complainers as a single topic's does: triage
   * splits a city outage between the group's topics, and neither alone gathered enough.
   */
  coldGroups: boolean;
  /**
   * A word burst beside a young local problem is that problem's trouble, however it reads, when
   * triage filed two thirds of it under one topic of the problem's (its own, or one a tenth of
   * its complaints are filed under) and the burst's complainers naming a place name the
   * problem's (`burstOfTopic` in same-trouble.ts).
   */
  burstByTopic: boolean;
  /** Link a message triage did not call a complaint when it uses a live trouble's own words. */
  linkUnflagged: boolean;
  /**
   * An excess whose recent complainers are this share or more already linked to one live
   * problem is that problem's, however long after it began.
   */
  coMemberShare: number;
  /**
   * The least share of a local trouble's complaints that name their place: a complaint naming
   * none links to a local problem through the coarse key only as far as the problem's local
   * excess, scaled by this, explains that key's excess.
   */
  placedShare: number;
  /**
   * Linking's share of excess compares a key with the complaints no problem explains (true),
   * not with all of them: see `Counts.expected`.
   */
  linkApart: boolean;
  /**
   * The least text kinship (`text.ts` `kinship`) at which a country-wide excess of an unrelated
   * topic joins a young problem as the same trouble under a confused topic.
   */
  minKinship: number;
  /**
   * A complaint no area problem takes joins a live country-wide problem of another topic when
   * its MinHash similarity to the closest of the problem's recent complaints reaches
   * `similarity` (0: never) and its own topic's country-wide count is at least `topicShare`
   * excess (`link.ts` `matchByKinship`).
   */
  kinLink: { similarity: number; topicShare: number };
  /**
   * Topics one root cause often shows up under (triage confuses them): complaints are also
   * counted per group below country level, and same-area detections within a group merge.
   */
  topicGroups: string[][];
  /**
   * An area problem takes the topic most of its complainers name among those linked this long
   * after it was raised (0: its topic stays the one it was raised under). See
   * `ProblemBook.settledTopic`.
   */
  topicSettleMs: number;
  /**
   * A related topic's excess in a problem's place (or one nested in it) is triage's confusion
   * around that problem only up to this many times the excess of the problem's own topic there;
   * beyond it, a trouble of its own (`link.ts` `outgrown`; 0: always confusion).
   */
  confusionRatio: number;
  /**
   * A fixed problem is `verified` after at least this long (event time) without a linked
   * complaint; longer for a slow trouble (`fix-check.ts` `verifyQuietFor`).
   */
  verifyQuietMs: number;
  /** Whether a fix held, from the new customers after it (`fix-check.ts`). */
  fixCheck: { graceMs: number; windowMs: number; forMs: number; share: number };
  /** An automatic problem without a new complaint this long stops claiming new ones … */
  liveQuietMs: number;
  /** … and after this long, if still only suspected and nobody acted on it, closes as subsided. */
  expireQuietMs: number;
  /**
   * An automatic problem whose keys have shown no excess for `gapMs` is over: its trouble
   * subsided, so a new excess of its place or topic is a new trouble, not its own (its
   * stragglers still follow their case). "Excess" here is a weaker test than raising needs (is
   * the key still above its baseline, counting linked complaints too?) over the windows up to
   * `windowsMs[window]`. The raise test's alpha is too strict for it: a slow trouble in a city
   * that is most of its region (compared with the region's other complaints) fails it within
   * the hour of its detection. The gap outlasts a night's lull of a trouble that goes on.
   * `freshOnly`: count only customers new to the problem (`episode.ts`), not its own writing
   * again.
   */
  episode: {
    gapMs: number;
    window: number;
    min: number;
    alpha: number;
    freshOnly: boolean;
  };
  text: {
    enabled: boolean;
    minCustomers: number;
    alpha: number;
    warmupMs: number;
    /** MinHash tightness a term cluster needs to count as one kind of trouble. */
    minTightness: number;
    /** A burst mostly made of complaints already linked is an echo of a known problem. */
    maxLinkedShare: number;
  };
  process: { minCustomers: number; alpha: number };
  /**
   * A complaint of a topic related to a live country-wide problem's joins it as triage's
   * confusion around that trouble (`spill.ts` `matchSpill`) when it uses `words` of the
   * problem's own words (0: never), its topic is at least `topicShare` excess country-wide, and
   * its place shows no trouble of its own (tail probability against the country-wide rate not
   * below `localAlpha`).
   */
  spill: { words: number; topicShare: number; localAlpha: number };
  /**
   * A complaint's words can say it is not a big problem's (`word-odds.ts`): read only for a
   * problem holding `minLinked` complaints in the link window (0: never); a word's rate there is
   * shrunk toward its usual one by `prior` complaints; words fewer than `minDocs` complaints ever
   * used are left out; each word's log likelihood ratio is capped at ±`cap`.
   */
  wordOdds: { minLinked: number; prior: number; cap: number; minDocs: number };
}

const MIN = 60_000;
const HOUR = 60 * MIN;

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = {
  windowsMs: [HOUR, 4 * HOUR, 12 * HOUR],
  minCustomers: 5,
  alpha: 1e-5,
  mixedAlpha: 2e-6,
  alphaRate: 60,
  dispersion: Number.POSITIVE_INFINITY,
  dayVariation: 0.15,
  dispersionPrior: 10,
  daySwing: { learn: true, minExpected: 20, priorDays: 2 },
  strongAlpha: 1e-12,
  persistMs: 10 * MIN,
  persistBuckets: 3,
  bucketMs: 5 * MIN,
  priorHours: 72,
  priorEpisodes: 300,
  warmupMs: 6 * HOUR,
  linkPosterior: 0.5,
  linkWindow: 1,
  coarseLinkWindow: 1,
  recentLinkWindow: 0,
  mergeWindowMs: 3 * HOUR,
  coMemberShare: 0.4,
  placedShare: 1 / 3,
  linkApart: true,
  minKinship: 0.15,
  kinLink: { similarity: 0.3, topicShare: 0.2 },
  inferArea: true,
  forgetExplained: true,
  leaveOwnOut: true,
  coldGroups: true,
  burstByTopic: true,
  linkUnflagged: true,
  topicGroups: [
    ['network', 'outage', 'device', 'service', 'other'],
    ['billing', 'account'],
  ],
  topicSettleMs: 24 * HOUR,
  confusionRatio: 1,
  verifyQuietMs: 2 * HOUR,
  fixCheck: { graceMs: 30 * MIN, windowMs: HOUR, forMs: 12 * HOUR, share: 0.5 },
  liveQuietMs: 6 * HOUR,
  expireQuietMs: 24 * HOUR,
  // Up to the 4-hour window, 5 hours' gap: with the 12-hour window a trouble stayed "on" for
  // about 15 hours after its last excess and took the next trouble of its place (seed 3's Los
  // Angeles network outage 11.5 hours after a California device problem).
  episode: {
    gapMs: 5 * HOUR,
    window: 1,
    min: 5,
    alpha: 1e-3,
    freshOnly: true,
  },
  text: {
    enabled: true,
    minCustomers: 5,
    alpha: 1e-8,
    // The desk's own warm-up: a word's baseline is its share of the complaints seen so far,
    // which a few hours give (48 hours left a 384-customer night-time burst at hour 45 raised
    // three hours late; outside-style set, desk high-swing).
    warmupMs: 6 * HOUR,
    minTightness: 0.04,
    maxLinkedShare: 0.5,
  },
  process: { minCustomers: 5, alpha: 1e-6 },
  spill: { words: 3, topicShare: 0.2, localAlpha: 1e-3 },
  wordOdds: { minLinked: 150, prior: 50, cap: Math.log(5), minDocs: 20 },
};

/**
 * The significance level a raise answers to on a desk of `rate` complaint episodes an hour:
 * `level` (`alpha` or `mixedAlpha`) scaled down in proportion to the rate beyond `alphaRate`.
 */
export function raiseLevel(config: DetectorConfig, rate: number, level: number): number {
  return config.alphaRate > 0 && rate > config.alphaRate
    ? (level * config.alphaRate) / rate
    : level;
}
