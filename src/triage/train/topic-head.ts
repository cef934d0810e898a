/**
 * Trains the topic-words head (src/triage/topic-words.ts): a softmax regression over the
 * SIF-weighted mean of a text's pretrained word vectors (vectors.ts), taught by the same sentences
 * of ours that teach the linear topic model, and then distilled into one row of topic logits per
 * word. Why: our sentences name a few hundred telecom words; real tweets use thousands more
 * ("reception", "bars", "lte", "invoice", "handset") that the linear model has never seen and the
 * vectors place next to the ones it has.
 *
 * Distillation is exact because the head is linear: v·(1/n Σ sif(w)·e(w)) = 1/n Σ (sif(w)·v·e(w)),
 * so each word stores its 9 products sif(w)·v_k·e(w) and the run time only sums rows and divides
 * by n; no vector is shipped. Deterministic (seeded order, fixed schedule): same inputs, same bytes.
 */
import { writeFileSync } from 'node:fs';
import { rng, shuffle } from '../../platform/random.js';
import { tokenize } from '../text.js';
import {
  TOPIC_WORDS_VERSION,
  type TopicWordsJSON,
  topicWordsFromJSON,
  topicWordsUrl,
} from '../topic-words.js';
import { TOPICS, type Topic } from '../types.js';
import type { WordVectors } from './vectors.js';

const K = TOPICS.length;
/**
 * The head's logits are added to the linear model's at this weight. Chosen on our own templates
 * (4 folds, held out by template, both models trained on the other 3): README, "topic-words head".
 */
export const HEAD_WEIGHT = 0.5;
// SIF's a (Arora et al. 2017): a word of frequency p counts a / (a + p), so "the", "my" and "is"
// hardly move the mean and the content words decide it.
const SIF_A = 0.001;
const SEED = 20261203;
const EPOCHS = 8;
const RATE = 0.05;
// A little L2: our sentences are templated, and without it the head trusts the few directions
// that separate them perfectly.
const L2 = 1e-3;

export interface HeadExample {
  text: string;
  topic: Topic;
}

/** SIF weight of each vector word; p(word) from Zipf's law on its frequency rank. */
export function sifWeights(v: WordVectors): Float64Array {
  let harmonic = 0;
  for (let r = 1; r <= v.sourceSize; r++) harmonic += 1 / r;
  const out = new Float64Array(v.words.length);
  for (let w = 0; w < out.length; w++) {
    const p = 1 / ((v.ranks[w] + 1) * harmonic);
    out[w] = SIF_A / (SIF_A + p);
  }
  return out;
}

/** The SIF-weighted mean vector of a text's words that have a vector, or null if none has. */
function pooled(
  text: string,
  index: Map<string, number>,
  v: WordVectors,
  sif: Float64Array,
): Float64Array | null {
  const out = new Float64Array(v.dims);
  let n = 0;
  for (const word of tokenize(text).words) {
    const w = index.get(word);
    if (w === undefined) continue;
    n++;
    const s = sif[w];
    for (let d = 0; d < v.dims; d++) out[d] += s * v.data[w * v.dims + d];
  }
  if (n === 0) return null;
  for (let d = 0; d < v.dims; d++) out[d] /= n;
  return out;
}

/** The head's weights: `weights[k * dims + d]` and a bias per topic. */
export interface Head {
  weights: Float64Array;
  bias: Float64Array;
}

/**
 * SGD on the softmax cross-entropy, classes evened out as in the linear model (weight mean count
 * / count), weights averaged over the ends of the passes (a cheap regulariser, as in sgd.ts; per
 * pass rather than per step, because every step here touches all 900 weights).
 */
export function trainHead(
  examples: readonly HeadExample[],
  v: WordVectors,
  { epochs = EPOCHS, rate: baseRate = RATE, l2 = L2 } = {},
): Head {
  const index = new Map(v.words.map((w, i) => [w, i]));
  const sif = sifWeights(v);
  const data: { x: Float64Array; k: number }[] = [];
  for (const e of examples) {
    const x = pooled(e.text, index, v, sif);
    if (x) data.push({ x, k: TOPICS.indexOf(e.topic) });
  }
  const counts = TOPICS.map((_t, k) => data.filter((e) => e.k === k).length);
  const mean = counts.reduce((a, b) => a + b, 0) / K;
  const classWeight = counts.map((n) => (n > 0 ? mean / n : 1));
  const D = v.dims;
  const w = new Float64Array(K * D);
  const b = new Float64Array(K);
  const sumW = new Float64Array(K * D);
  const sumB = new Float64Array(K);
  const p = new Float64Array(K);
  const rand = rng(SEED);
  let steps = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(data, rand);
    for (const { x, k: target } of data) {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) {
        let z = b[k];
        for (let d = 0; d < D; d++) z += w[k * D + d] * x[d];
        p[k] = z;
        if (z > max) max = z;
      }
      let total = 0;
      for (let k = 0; k < K; k++) {
        p[k] = Math.exp(p[k] - max);
        total += p[k];
      }
      const rate = baseRate * classWeight[target];
      for (let k = 0; k < K; k++) {
        const g = p[k] / total - (k === target ? 1 : 0);
        b[k] -= rate * g;
        for (let d = 0; d < D; d++) w[k * D + d] -= rate * (g * x[d] + l2 * w[k * D + d]);
      }
    }
    for (let i = 0; i < w.length; i++) sumW[i] += w[i];
    for (let k = 0; k < K; k++) sumB[k] += b[k];
    steps++;
  }
  for (let i = 0; i < w.length; i++) sumW[i] /= steps;
  for (let k = 0; k < K; k++) sumB[k] /= steps;
  return { weights: sumW, bias: sumB };
}

/** Six significant digits: short JSON, and the int8 rows are made with the rounded scale. */
const r6 = (x: number) => Number(x.toPrecision(6));

/** The per-word table: row w = sif(w) · (v_k · e(w)) for each topic k, int8 with one scale. */
export function distil(head: Head, v: WordVectors, weight = HEAD_WEIGHT): TopicWordsJSON {
  const sif = sifWeights(v);
  const D = v.dims;
  const table = new Float64Array(v.words.length * K);
  let max = 0;
  for (let w = 0; w < v.words.length; w++) {
    for (let k = 0; k < K; k++) {
      let z = 0;
      for (let d = 0; d < D; d++) z += head.weights[k * D + d] * v.data[w * D + d];
      table[w * K + k] = sif[w] * z;
      max = Math.max(max, Math.abs(sif[w] * z));
    }
  }
  const scale = r6(max / 127);
  const words: string[] = [];
  const rows: number[] = [];
  for (let w = 0; w < v.words.length; w++) {
    const row = Array.from(table.subarray(w * K, w * K + K), (x) => Math.round(x / scale));
    // A word whose every product rounds to 0 only dilutes the mean: kept, so n counts it as the
    // trained head did.
    words.push(v.words[w]);
    rows.push(...row);
  }
  return {
    format: 'throughline-topic-words',
    version: TOPIC_WORDS_VERSION,
    topics: TOPICS,
    weight,
    bias: Array.from(head.bias, r6),
    scale,
    words,
    rows: Buffer.from(Int8Array.from(rows).buffer).toString('base64'),
  };
}

/** Trains and distils; the JSON text is what data/triage/topic-words.v1.json must hold. */
export function buildTopicWords(examples: readonly HeadExample[], v: WordVectors): string {
  const json = distil(trainHead(examples, v), v);
  topicWordsFromJSON(json); // the run time must accept what training writes
  return `${JSON.stringify(json)}\n`;
}

export function writeTopicWords(text: string): void {
  writeFileSync(topicWordsUrl(), text);
}
