/**
 * The weights that learning from corrections can move: only the slots of the corrections' own
 * features, copied out of the model into small float64 arrays. Thousands of corrections touch a
 * few tens of thousands of slots (a few MB), where a step on the model itself reaches at random
 * into 9 MB of topic weights; with the fused steps below, replaying 5,000 corrections 16 times
 * takes a fraction of the time (data/triage/README.md).
 *
 * The steps are those of model.ts (logistic and softmax cross-entropy), on local slot numbers.
 */
import type { Analysis } from './features.js';
import type { TriageModel } from './model.js';
import { TOPICS } from './types.js';

const K = TOPICS.length;

/** A text's features as local slot numbers and values. */
export interface LocalFeatures {
  slots: Int32Array;
  values: Float64Array;
  /** |x|², at least 1 (every text has the bias feature). */
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

  /** Copies out the weights of every slot the analysed texts use. */
  constructor(model: TriageModel, analysed: readonly Analysis[]) {
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
    const slots = new Int32Array(a.indices.length);
    const values = Float64Array.from(a.values);
    let norm2 = 0;
    for (let i = 0; i < slots.length; i++) {
      slots[i] = this.localOf.get(a.indices[i]) as number;
      norm2 += values[i] * values[i];
    }
    return { slots, values, norm2: Math.max(1, norm2) };
  }

  /** Back to the model's weights, to replay the corrections in another order. */
  reset(): void {
    this.complaint.set(this.start.complaint);
    this.topic.set(this.start.topic);
  }

  /** One SGD step of the logistic loss; `offset` is added to the logit (the short-text rule's). */
  complaintStep(x: LocalFeatures, label: 0 | 1, rate: number, offset = 0): void {
    const w = this.complaint;
    const { slots, values } = x;
    const n = slots.length;
    let z = offset;
    for (let i = 0; i < n; i++) z += w[slots[i]] * values[i];
    const g = rate * (1 / (1 + Math.exp(-z)) - label);
    for (let i = 0; i < n; i++) w[slots[i]] -= g * values[i];
  }

  /** One SGD step of the softmax cross-entropy. */
  topicStep(x: LocalFeatures, topic: number, rate: number): void {
    const { p } = this;
    const w = this.topic;
    const { slots, values } = x;
    const n = slots.length;
    p.fill(0);
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
    for (let i = 0; i < n; i++) {
      const base = slots[i] * K;
      const v = values[i];
      for (let k = 0; k < K; k++) w[base + k] -= p[k] * v;
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

function addInto(sum: Float64Array, w: Float64Array): void {
  for (let i = 0; i < w.length; i++) sum[i] += w[i];
}
