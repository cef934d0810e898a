/**
 * The learned part of triage: two linear models over the hashed features of features.ts, a
 * logistic regression for "complaint or not" and a softmax regression over the topics. Linear
 * models are tiny, run in microseconds and can be updated one example at a time, which is how
 * agents' corrections are learned (corrections.ts).
 */
import { type Analysis, DIM, DIM_BITS } from './features.js';
import { TOPICS } from './types.js';

const K = TOPICS.length;

export interface TriageModel {
  version: string;
  dimBits: number;
  complaint: Float32Array;
  /** Topic weights interleaved per feature: topic[feature * K + topicIndex]. */
  topic: Float32Array;
  /** Score at or above which a message is called a complaint. */
  complaintThreshold: number;
  /** Number of agent corrections folded in since training (for audit). */
  corrections: number;
}

export function emptyModel(version: string): TriageModel {
  return {
    version,
    dimBits: DIM_BITS,
    complaint: new Float32Array(DIM),
    topic: new Float32Array(DIM * K),
    complaintThreshold: 0.5,
    corrections: 0,
  };
}

export function complaintLogit(model: TriageModel, a: Analysis): number {
  let z = 0;
  const w = model.complaint;
  for (let i = 0; i < a.indices.length; i++) z += w[a.indices[i]] * a.values[i];
  return z;
}

export function complaintProbability(model: TriageModel, a: Analysis): number {
  return sigmoid(complaintLogit(model, a));
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Softmax probabilities per topic, in TOPICS order. */
export function topicProbabilities(model: TriageModel, a: Analysis, out = new Float64Array(K)) {
  out.fill(0);
  const w = model.topic;
  for (let i = 0; i < a.indices.length; i++) {
    const base = a.indices[i] * K;
    const v = a.values[i];
    for (let k = 0; k < K; k++) out[k] += w[base + k] * v;
  }
  return softmaxInPlace(out);
}

/** Logits -> probabilities, in place (max-shifted so exp cannot overflow). */
export function softmaxInPlace(out: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) if (out[k] > max) max = out[k];
  let sum = 0;
  for (let k = 0; k < K; k++) {
    out[k] = Math.exp(out[k] - max);
    sum += out[k];
  }
  for (let k = 0; k < K; k++) out[k] /= sum;
  return out;
}

/** One SGD step of the logistic loss; returns the loss before the step. */
export function complaintStep(model: TriageModel, a: Analysis, label: 0 | 1, rate: number) {
  const p = complaintProbability(model, a);
  const g = p - label;
  const w = model.complaint;
  for (let i = 0; i < a.indices.length; i++) w[a.indices[i]] -= rate * g * a.values[i];
  return -Math.log(label ? p + 1e-12 : 1 - p + 1e-12);
}

/** One SGD step of the softmax cross-entropy; returns the loss before the step. */
export function topicStep(model: TriageModel, a: Analysis, topic: number, rate: number) {
  const p = topicProbabilities(model, a);
  const w = model.topic;
  for (let i = 0; i < a.indices.length; i++) {
    const base = a.indices[i] * K;
    const v = a.values[i];
    for (let k = 0; k < K; k++) w[base + k] -= rate * (p[k] - (k === topic ? 1 : 0)) * v;
  }
  return -Math.log(p[topic] + 1e-12);
}

export interface TriageModelJSON {
  format: 'throughline-triage-linear';
  version: string;
  dimBits: number;
  topics: readonly string[];
  complaintThreshold: number;
  corrections: number;
  /** Sparse weights: parallel arrays of slot index and value (4 significant decimals). */
  complaint: { i: number[]; v: number[] };
  topic: { i: number[]; v: number[] };
}

function sparse(w: Float32Array): { i: number[]; v: number[] } {
  const i: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < w.length; j++) {
    const x = Math.round(w[j] * 1e4) / 1e4;
    if (x !== 0) {
      i.push(j);
      v.push(x);
    }
  }
  return { i, v };
}

function dense(s: { i: number[]; v: number[] }, size: number): Float32Array {
  if (!Array.isArray(s?.i) || !Array.isArray(s?.v) || s.i.length !== s.v.length) {
    throw new Error('triage model: malformed sparse weights');
  }
  const w = new Float32Array(size);
  for (let j = 0; j < s.i.length; j++) {
    const idx = s.i[j];
    if (!Number.isInteger(idx) || idx < 0 || idx >= size) {
      throw new Error(`triage model: weight index ${idx} out of range`);
    }
    w[idx] = s.v[j];
  }
  return w;
}

export function modelToJSON(model: TriageModel): TriageModelJSON {
  return {
    format: 'throughline-triage-linear',
    version: model.version,
    dimBits: model.dimBits,
    topics: TOPICS,
    complaintThreshold: model.complaintThreshold,
    corrections: model.corrections,
    complaint: sparse(model.complaint),
    topic: sparse(model.topic),
  };
}

/** Validates and loads a model; throws with a clear message on a file this code cannot use. */
export function modelFromJSON(json: unknown): TriageModel {
  const j = json as Partial<TriageModelJSON> | null;
  if (j?.format !== 'throughline-triage-linear') {
    throw new Error('triage model: not a throughline-triage-linear model');
  }
  if (j.dimBits !== DIM_BITS) {
    throw new Error(`triage model: built for ${j.dimBits} hash bits, this code uses ${DIM_BITS}`);
  }
  if (!Array.isArray(j.topics) || j.topics.join() !== TOPICS.join()) {
    throw new Error('triage model: topic list differs from this code');
  }
  return {
    version: String(j.version),
    dimBits: DIM_BITS,
    complaint: dense(j.complaint as TriageModelJSON['complaint'], DIM),
    topic: dense(j.topic as TriageModelJSON['topic'], DIM * K),
    complaintThreshold: typeof j.complaintThreshold === 'number' ? j.complaintThreshold : 0.5,
    corrections: typeof j.corrections === 'number' ? j.corrections : 0,
  };
}
