/**
 * The weights that learning from corrections can move: only the slots of the corrections' own
 * features, copied out of the model into small float64 arrays. Thousands of corrections touch a
 * few tens of thousands of slots (a few MB), where a step on the model itself reaches at random
 * into 9 MB of topic weights; with the fused steps below, replaying 5,000 corrections 16 times
 * takes a fraction of the time (data/triage/README.md).
 *
 * The steps are those of model.ts (logistic and softmax cross-entropy), on local slot numbers.
 */
import { type Analysis, hashFeature } from './features.js';
import type { TriageModel } from './model.js';
import { TOPICS } from './types.js';

const K = TOPICS.length;

/**
 * Features that are not about what a text says: the bias, and the sentiment, shape and length
 * buckets of features.ts (the names of its `F`), one of which nearly every text has. Corrections
 * never step them: 20 one-sided corrections (Spanish network complaints, all "complaint") moved
 * the bias by +1.4 and the neutral-sentiment and mid-length buckets by +1.0 and +1.2, and with
 * them every other text ("What are your store hours?" 0.06 → 0.72 complaint). What a correction
 * teaches lives in its words, bigrams, lexicon hits and character grams, which similar texts share
 * and unrelated ones do not. Their calibration stays the trained model's.
 */
export const SHARED_FEATURES: ReadonlySet<number> = new Set(
  [
    '__bias__',
    's:neg3',
    's:neg2',
    's:neg1',
    's:0',
    's:pos1',
    's:pos2',
    's:sarcasm',
    's:onlyneg',
    'shape:shout',
    'shape:addressed',
    'shape:question',
    'len:short',
    'len:mid',
    'len:long',
  ].map(hashFeature),
);

/**
 * How far corrections may move any one weight from the trained model's. A word that many
 * corrections share ("no", "la" in 20 Spanish network complaints) is otherwise stepped by every
 * one of them and drags unrelated texts that use it. Of 0.25, 0.5 and 1 (no cap: about the same
 * as 1), 0.5 kept held-out texts of the corrected kind learned and left 30 unrelated texts where
 * they were (data/triage/README.md, "Learning from agents' corrections").
 */
export const MAX_SHIFT = 0.5;

/**
 * A text's features as local slot numbers and values: the `learnable` first ones are stepped,
 * the rest (shared features) only scored.
 */
export interface LocalFeatures {
  slots: Int32Array;
  values: Float64Array;
  learnable: number;
  /** |x|² over the learnable features (0 when there are none: no step is taken). */
  norm2: number;
}

export class CorrectionWeights {
  /** Model slot of local slot j. */
  private readonly slots: Int32Array;
  private readonly localOf = new Map<number, number>();
  private readonly start: { complaint: Float64Array; topic: Float64Array };
  readonly complaint: Float64Array;
  readonly topic: Float64Array;
  private readonly sum: { complaint: Float64Array; topic: Float64Array };
  private snapshots = 0;
  private readonly p = new Float64Array(K);

  /**
   * Copies out the weights of every slot the analysed texts use; the `frozen` slots are scored
   * but never stepped.
   */
  constructor(
    model: TriageModel,
    analysed: readonly Analysis[],
    private readonly frozen: ReadonlySet<number> = SHARED_FEATURES,
  ) {
    const seen = new Set<number>();
    for (const a of analysed) for (const i of a.indices) seen.add(i);
    this.slots = Int32Array.from(seen).sort();
    const n = this.slots.length;
    this.complaint = new Float64Array(n);
    this.topic = new Float64Array(n * K);
    for (let j = 0; j < n; j++) {
      const s = this.slots[j];
      this.localOf.set(s, j);
      this.complaint[j] = model.complaint[s];
      for (let k = 0; k < K; k++) this.topic[j * K + k] = model.topic[s * K + k];
    }
    this.start = { complaint: this.complaint.slice(), topic: this.topic.slice() };
    this.sum = { complaint: new Float64Array(n), topic: new Float64Array(n * K) };
  }

  features(a: Analysis): LocalFeatures {
    const n = a.indices.length;
    const slots = new Int32Array(n);
    const values = new Float64Array(n);
    // Learnable features fill the front, frozen ones the back.
    let front = 0;
    let back = n;
    let norm2 = 0;
    for (let i = 0; i < n; i++) {
      const v = a.values[i];
      const at = this.frozen.has(a.indices[i]) ? --back : front++;
      slots[at] = this.localOf.get(a.indices[i]) as number;
      values[at] = v;
      if (at < front) norm2 += v * v;
    }
    return { slots, values, learnable: front, norm2 };
  }

  /** Back to the model's weights, to replay the corrections in another order. */
  reset(): void {
    this.complaint.set(this.start.complaint);
    this.topic.set(this.start.topic);
  }

  /** One SGD step of the logistic loss; `offset` is added to the logit (the short-text rule's). */
  complaintStep(x: LocalFeatures, label: 0 | 1, rate: number, offset = 0): void {
    const w = this.complaint;
    const { slots, values, learnable } = x;
    const n = slots.length;
    let z = offset;
    for (let i = 0; i < n; i++) z += w[slots[i]] * values[i];
    const g = rate * (1 / (1 + Math.exp(-z)) - label);
    const start = this.start.complaint;
    for (let i = 0; i < learnable; i++) {
      const j = slots[i];
      w[j] = clampShift(w[j] - g * values[i], start[j]);
    }
  }

  /** One SGD step of the softmax cross-entropy; `offset` is added to the logits (the head's). */
  topicStep(
    x: LocalFeatures,
    topic: number,
    rate: number,
    offset: Float64Array | null = null,
  ): void {
    const { p } = this;
    const w = this.topic;
    const { slots, values, learnable } = x;
    const n = slots.length;
    if (offset) p.set(offset);
    else p.fill(0);
    for (let i = 0; i < n; i++) {
      const base = slots[i] * K;
      const v = values[i];
      for (let k = 0; k < K; k++) p[k] += w[base + k] * v;
    }
    let max = p[0];
    for (let k = 1; k < K; k++) if (p[k] > max) max = p[k];
    let total = 0;
    for (let k = 0; k < K; k++) {
      p[k] = Math.exp(p[k] - max);
      total += p[k];
    }
    // p becomes the step per unit of feature value: rate × (probability − target).
    for (let k = 0; k < K; k++) p[k] = rate * (p[k] / total - (k === topic ? 1 : 0));
    const start = this.start.topic;
    for (let i = 0; i < learnable; i++) {
      const base = slots[i] * K;
      const v = values[i];
      for (let k = 0; k < K; k++) {
        const j = base + k;
        w[j] = clampShift(w[j] - p[k] * v, start[j]);
      }
    }
  }

  /** Adds the current weights to the running sum (Polyak averaging over snapshots). */
  snapshot(): void {
    addInto(this.sum.complaint, this.complaint);
    addInto(this.sum.topic, this.topic);
    this.snapshots++;
  }

  /** Writes the mean of the snapshots into a model's own slots. */
  writeMean(model: TriageModel): void {
    const n = this.snapshots;
    for (let j = 0; j < this.slots.length; j++) {
      const s = this.slots[j];
      model.complaint[s] = this.sum.complaint[j] / n;
      for (let k = 0; k < K; k++) model.topic[s * K + k] = this.sum.topic[j * K + k] / n;
    }
  }
}

/** `w`, kept within MAX_SHIFT of the trained weight `from`. */
function clampShift(w: number, from: number): number {
  return Math.min(from + MAX_SHIFT, Math.max(from - MAX_SHIFT, w));
}

function addInto(sum: Float64Array, w: Float64Array): void {
  for (let i = 0; i < w.length; i++) sum[i] += w[i];
}
