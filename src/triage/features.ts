/**
 * Turns a message into the sparse feature vector both learned models read: hashed word unigrams
 * and bigrams, negation-scoped words, lexicon hits (our lists, so unseen synonyms still count),
 * sentiment buckets and a few shape cues. Hashing keeps the model a fixed size with no vocabulary.
 */
import { CUE_GROUPS } from './cues.js';
import { messageBody } from './framing.js';
import { COMPLAINT_CUES, REQUEST_CUES, TOPIC_LEXICON } from './lexicons.js';
import { type SentimentDetail, sentimentOf } from './sentiment.js';
import { NEGATORS, tokenize } from './text.js';
import type { UrgencyKind } from './types.js';
import { urgencySignals } from './urgency.js';
import { wordHash } from './word-table.js';

/** Number of hashed feature slots (2^18); part of the model format, stored in the weights file. */
export const DIM_BITS = 18;
export const DIM = 1 << DIM_BITS;
const MASK = DIM - 1;

/** FNV-1a, 32-bit: fast, deterministic across runs and platforms. */
export function hashFeature(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & MASK;
}

/**
 * Order-sensitive mix of two hashes (murmur3's finaliser over a ⊕ b·φ). Bigram and trigram
 * features and lexicon keys are combined from word hashes this way, so no string is built per
 * word pair: building them was a third of the feature time.
 */
function combine(a: number, b: number): number {
  let h = Math.imul(a ^ 0x85ebca6b, 0xcc9e2d51) ^ Math.imul(b, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Litotes: a negative word right after a negator ("not bad", "not too bad", "can't complain",
 * "no complaints") is approval, not a complaint. Without this the word's own evidence and its
 * complaint cue count in full: "@brand not bad at all" scored 0.86. Such a word is read as one
 * placeholder, which no training sentence carries, so it adds no evidence either way (the
 * sentiment, which handles negation itself, still reads the word). Only these words, and only
 * at once or after one degree word: "no signal, bad service" stays a complaint.
 */
const LITOTES = new Set(
  'bad terrible awful horrible shabby worse complain complaining complaint complaints'.split(' '),
);
const DEGREE = new Set('too so that half as all'.split(' '));
const LITOTES_H = wordHash('__litotes__');

function isLitotes(words: readonly string[], i: number): boolean {
  if (i === 0 || i >= words.length || !LITOTES.has(words[i])) return false;
  const before = words[i - 1];
  if (NEGATORS.get(before)) return true;
  return i >= 2 && DEGREE.has(before) && NEGATORS.get(words[i - 2]) === true;
}

const START = wordHash('^');
const END = wordHash('$');
const NOT = wordHash('NOT_');

// Lexicon phrases (1-3 words) are tokenized like messages so "doesn't work" meets "does not
// work", and keyed by the same combined word hashes the messages produce.
const LEXICON = new Map<number, string[]>();
// Each message probes the lexicon about 3 times per word and nearly always misses. A bit per low
// 16 bits of the key turns a miss into one byte read (about 1 in 100 misses still reaches the Map).
const LEXICON_BITS = new Uint8Array(1 << 13);
// Each tag's two features ("t:billing", "t:billing:2+"), hashed once here, not per message.
const TAG_FEATURES = new Map<string, readonly [number, number]>();
function phraseKey(words: readonly string[]): number {
  let h = wordHash(words[0]);
  for (let i = 1; i < words.length; i++) h = combine(h, wordHash(words[i]));
  return h;
}
function addLexicon(tag: string, entries: string[]): void {
  for (const entry of entries) {
    const words = tokenize(entry).words;
    if (words.length === 0 || words.length > 3) continue;
    const key = phraseKey(words);
    LEXICON_BITS[(key & 0xffff) >>> 3] |= 1 << (key & 7);
    TAG_FEATURES.set(tag, [hashFeature(tag), hashFeature(`${tag}:2+`)]);
    const tags = LEXICON.get(key);
    if (!tags) LEXICON.set(key, [tag]);
    else if (!tags.includes(tag)) tags.push(tag);
  }
}
for (const [topic, entries] of Object.entries(TOPIC_LEXICON)) addLexicon(`t:${topic}`, entries);
addLexicon('cue:complaint', COMPLAINT_CUES);
addLexicon('cue:request', REQUEST_CUES);
for (const [group, entries] of Object.entries(CUE_GROUPS)) addLexicon(`g:${group}`, entries);

export interface Analysis {
  /** The message without its framing (framing.ts `messageBody`): what the writer said. */
  body: string;
  words: string[];
  /** Lexicon tag -> number of hits. */
  lex: Map<string, number>;
  sentiment: SentimentDetail;
  /** urgency.ts's signals, also features: a threat to leave or to sue is a complaint's mark. */
  urgency: UrgencyKind[];
  indices: number[];
  values: number[];
}

interface Sparse {
  indices: number[];
  values: number[];
}

// The fixed features, hashed once.
const F = {
  bias: hashFeature('__bias__'),
  neg3: hashFeature('s:neg3'),
  neg2: hashFeature('s:neg2'),
  neg1: hashFeature('s:neg1'),
  neutral: hashFeature('s:0'),
  pos1: hashFeature('s:pos1'),
  pos2: hashFeature('s:pos2'),
  sarcasm: hashFeature('s:sarcasm'),
  onlyNeg: hashFeature('s:onlyneg'),
  shout: hashFeature('shape:shout'),
  addressed: hashFeature('shape:addressed'),
  question: hashFeature('shape:question'),
  short: hashFeature('len:short'),
  mid: hashFeature('len:mid'),
  long: hashFeature('len:long'),
};

const URGENCY_FEATURE: Record<UrgencyKind, number> = {
  churn: hashFeature('u:churn'),
  safety: hashFeature('u:safety'),
  legal: hashFeature('u:legal'),
  vulnerable: hashFeature('u:vulnerable'),
  repeat: hashFeature('u:repeat'),
};

/** Word hashes of the message being analysed, reused across messages (grown when needed). */
let wordHashes = new Uint32Array(256);

function push(out: Sparse, h: number): void {
  out.indices.push(h & MASK);
  out.values.push(1);
}

export function analyse(message: string): Analysis {
  // A letter's salutation and sign-off, a transcript's marker, a closing "thanks in advance":
  // read as evidence they made polite complaints look like thanks (framing.ts).
  const text = messageBody(message);
  const { words, shouted, breaks } = tokenize(text);
  const lex = new Map<string, number>();
  const indices: number[] = [];
  const values: number[] = [];
  // Module-level helpers rather than closures: no two function objects per message.
  const out: Sparse = { indices, values };
  push(out, F.bias);
  const grams: number[] = [];
  if (wordHashes.length < words.length) wordHashes = new Uint32Array(words.length * 2);
  const hashes = wordHashes;
  let negateLeft = 0;
  let prev = START;
  let prev2 = 0;
  let first = true;
  let nextBreak = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    hashes[i] = wordHash(word);
    // A negation's features end at a clause break, as its sentiment does.
    if (nextBreak < breaks.length && breaks[nextBreak] === i) {
      negateLeft = 0;
      nextBreak++;
    }
    // The negator of a litotes is part of the idiom too: "not" alone is strong complaint evidence.
    const negator = NEGATORS.getHashed(word, hashes[i]) === true;
    const litotes =
      isLitotes(words, i) || (negator && (isLitotes(words, i + 1) || isLitotes(words, i + 2)));
    const h = litotes ? LITOTES_H : hashes[i];
    const bi = combine(prev, h);
    push(out, h);
    push(out, bi);
    // Placeholders (__url__) and short words carry no sub-word information.
    if (!litotes && word.length >= 5 && word.charCodeAt(0) !== 95) addCharGrams(word, grams);
    if (negateLeft > 0) {
      push(out, combine(NOT, h));
      negateLeft--;
    }
    if (negator && !litotes) negateLeft = 3;
    hitLexicon(lex, h);
    if (!first) {
      hitLexicon(lex, bi);
      if (prev2 !== 0) hitLexicon(lex, combine(combine(prev2, prev), h));
    }
    prev2 = first ? 0 : prev;
    prev = h;
    first = false;
  }
  push(out, combine(prev, END));
  for (const [tag, n] of lex) {
    const [one, twoPlus] = TAG_FEATURES.get(tag) as readonly [number, number];
    push(out, one);
    if (n >= 2) push(out, twoPlus);
  }
  const sentiment = sentimentOf(text, words, shouted, hashes, true, breaks);
  const s = sentiment.raw;
  push(
    out,
    s <= -4
      ? F.neg3
      : s <= -2
        ? F.neg2
        : s < 0
          ? F.neg1
          : s === 0
            ? F.neutral
            : s < 3
              ? F.pos1
              : F.pos2,
  );
  if (sentiment.sarcasm) push(out, F.sarcasm);
  // The signals are phrasings of their own ("switching to verizon", "report you to the FCC"),
  // so the model learns one weight for each from the few sentences that carry one, and it
  // reaches every wording the rule knows, not only the sentences' own words.
  const urgency = urgencySignals(text);
  for (const kind of urgency) push(out, URGENCY_FEATURE[kind]);
  if (sentiment.negativeWords > 0 && sentiment.positiveWords === 0) push(out, F.onlyNeg);
  if (shouted > 0) push(out, F.shout);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('@')) push(out, F.addressed);
  if (text.includes('?')) push(out, F.question);
  push(out, words.length < 6 ? F.short : words.length < 16 ? F.mid : F.long);
  // Character n-grams last (the order does not matter to a linear model).
  for (const g of grams) {
    indices.push(g);
    values.push(CHAR_W);
  }
  return { body: text, words, lex, sentiment, urgency, indices, values };
}

// 4-grams at a third of a word's weight did best among 3/4/5-grams and 0.3/0.5/1 weights.
const CHAR_N = 4;
const CHAR_W = 0.3;
/**
 * Character n-grams of a word, boundary-marked (" refund " -> " ref", "refu", ... "und "), hashed
 * straight from char codes (no substrings). They let "cancelled", "cancellation" and "cancelling"
 * share evidence, and survive the misspellings of real tweets that our written sentences lack.
 */
function addCharGrams(word: string, out: number[]): void {
  const n = CHAR_N;
  const len = word.length + 2;
  for (let start = 0; start + n <= len; start++) {
    let h = 0x9e3779b1;
    for (let j = start; j < start + n; j++) {
      const c = j === 0 || j === len - 1 ? 32 : word.charCodeAt(j - 1);
      h ^= c;
      h = Math.imul(h, 0x01000193);
    }
    out.push((h >>> 0) & MASK);
  }
}

function hitLexicon(lex: Map<string, number>, key: number): void {
  if ((LEXICON_BITS[(key & 0xffff) >>> 3] & (1 << (key & 7))) === 0) return;
  const tags = LEXICON.get(key);
  if (!tags) return;
  for (const tag of tags) lex.set(tag, (lex.get(tag) ?? 0) + 1);
}
