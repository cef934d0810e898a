/**
 * The topic-words head: a second opinion on the topic from pretrained word vectors (GloVe, via
 * src/triage/train/topic-head.ts), added to the linear topic model's logits before the softmax.
 * It knows words our sentences never used ("reception", "invoice", "handset"), which is where the
 * linear model, trained on our sentences only, falls back to `other`.
 *
 * What ships is not the vectors but, per word, the 9 topic logits that word contributes (the head
 * is linear, so the mean of the words' rows is the head's logits for the mean vector): a word
 * look-up and 9 integer adds per word, about 30k words × 9 bytes.
 *
 * Agents' corrections (corrections.ts) adjust the linear model only; the head stays as trained,
 * and the corrections learner adds its logits to the linear model's, as classify() does, so a
 * correction moves the topic classify() gives.
 */
import { readFileSync } from 'node:fs';
import { TOPICS } from './types.js';
import { WordTable } from './word-table.js';

const K = TOPICS.length;

/** Bump when the vectors, the sentences or the head's training change. */
export const TOPIC_WORDS_VERSION = 'topic-words-v1';

export function topicWordsUrl(): URL {
  return new URL('../../data/triage/topic-words.v1.json', import.meta.url);
}

export interface TopicWordsJSON {
  format: 'throughline-topic-words';
  version: string;
  topics: readonly string[];
  /** Weight of the head's logits against the linear model's (1 each would be a plain sum). */
  weight: number;
  /** The head's bias per topic (TOPICS order). */
  bias: number[];
  /** A row's int8 values times `scale` are the word's logits. */
  scale: number;
  words: string[];
  /** Base64 of int8, K per word, in `words` order. */
  rows: string;
}

export interface TopicWords {
  readonly version: string;
  /** Word -> row number. */
  readonly index: WordTable<number>;
  readonly rows: Int8Array;
  /** weight × scale: multiplies a summed row. */
  readonly rowScale: number;
  /** weight × bias. */
  readonly bias: Float64Array;
}

export function topicWordsFromJSON(json: unknown): TopicWords {
  const j = json as Partial<TopicWordsJSON> | null;
  if (j?.format !== 'throughline-topic-words') throw new Error('topic words: bad format');
  if (!Array.isArray(j.topics) || j.topics.join() !== TOPICS.join()) {
    throw new Error('topic words: topic list differs from this code');
  }
  const words = j.words as string[];
  const bytes = Buffer.from(String(j.rows), 'base64');
  if (!Array.isArray(words) || bytes.length !== words.length * K) {
    throw new Error('topic words: rows do not match the words');
  }
  const weight = Number(j.weight);
  const bias = j.bias as number[];
  if (!Array.isArray(bias) || bias.length !== K || !(weight >= 0) || !(Number(j.scale) > 0)) {
    throw new Error('topic words: bad weight, bias or scale');
  }
  return {
    version: String(j.version),
    index: new WordTable(words.map((w, i) => [w, i] as const)),
    rows: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length),
    rowScale: weight * Number(j.scale),
    bias: Float64Array.from(bias, (b) => weight * b),
  };
}

let shipped: TopicWords | undefined;

/** The head shipped in data/triage/, parsed on first call and cached for the process. */
export function loadShippedTopicWords(): TopicWords {
  shipped ??= topicWordsFromJSON(JSON.parse(readFileSync(topicWordsUrl(), 'utf8')));
  return shipped;
}

/**
 * Adds the head's weighted logits for a text's words to `logits` (TOPICS order). A text with no
 * word in the table gets nothing, not the bias: the head has no opinion on it.
 */
export function addTopicWords(head: TopicWords, words: readonly string[], logits: Float64Array) {
  const { index, rows } = head;
  let n = 0;
  // Integer sums (exact, in any order), scaled once at the end.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  let s8 = 0;
  for (let i = 0; i < words.length; i++) {
    const row = index.get(words[i]);
    if (row === undefined) continue;
    const at = row * K;
    n++;
    s0 += rows[at];
    s1 += rows[at + 1];
    s2 += rows[at + 2];
    s3 += rows[at + 3];
    s4 += rows[at + 4];
    s5 += rows[at + 5];
    s6 += rows[at + 6];
    s7 += rows[at + 7];
    s8 += rows[at + 8];
  }
  if (n === 0) return;
  const f = head.rowScale / n;
  const b = head.bias;
  logits[0] += b[0] + f * s0;
  logits[1] += b[1] + f * s1;
  logits[2] += b[2] + f * s2;
  logits[3] += b[3] + f * s3;
  logits[4] += b[4] + f * s4;
  logits[5] += b[5] + f * s5;
  logits[6] += b[6] + f * s6;
  logits[7] += b[7] + f * s7;
  logits[8] += b[8] + f * s8;
}

if (K !== 9) throw new Error('topic-words.ts: addTopicWords is written for 9 topics');
