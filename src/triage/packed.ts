/**
 * The two linear models repacked for classifying one message at a time. Training and corrections
 * use the plain arrays of model.ts; this is a read-only copy made when a Triage is created.
 *
 * Why: the plain arrays are 1 MiB (complaint) and 9 MiB (topics), and a message's ~75 features
 * land on random slots of both, so scoring was mostly waiting on memory. Here only the ~40k slots
 * with a non-zero weight keep a row, and each row holds the complaint weight next to the topic
 * weights (one cache line instead of two). Slots without a row are skipped: their weights are 0,
 * and adding 0 to a sum leaves it unchanged, so the scores are bit-for-bit those of model.ts.
 */
import type { TriageModel } from './model.js';
import { TOPICS } from './types.js';

const K = TOPICS.length;
/** Row layout: [complaint, topic 0 .. topic K-1]. */
const STRIDE = K + 1;

export interface PackedModel {
  /** Bit per feature slot: 1 if the slot has a row (some weight is not 0). */
  readonly live: Int32Array;
  /** Per 32-slot word of `live`: the number of rows before it (row = that + live bits below). */
  readonly rowsBefore: Int32Array;
  readonly rows: Float32Array;
}

/**
 * Copies the model's non-zero rows; later changes to the model's arrays are not seen. The slot ->
 * row map is a bitmap with running counts (64 KiB) rather than an array per slot (1 MiB), so it
 * stays in cache next to the rows.
 */
export function packModel(model: TriageModel): PackedModel {
  const dim = model.complaint.length;
  const { complaint, topic } = model;
  const live = new Int32Array(dim >>> 5);
  const rowsBefore = new Int32Array(live.length);
  let used = 0;
  for (let w = 0; w < live.length; w++) {
    rowsBefore[w] = used;
    for (let b = 0; b < 32; b++) {
      if (!isLive(model, w * 32 + b)) continue;
      live[w] |= 1 << b;
      used++;
    }
  }
  const rows = new Float32Array(used * STRIDE);
  let at = 0;
  for (let slot = 0; slot < dim; slot++) {
    if ((live[slot >>> 5] & (1 << (slot & 31))) === 0) continue;
    rows[at] = complaint[slot];
    for (let k = 0; k < K; k++) rows[at + 1 + k] = topic[slot * K + k];
    at += STRIDE;
  }
  return { live, rowsBefore, rows };
}

function isLive(model: TriageModel, slot: number): boolean {
  if (model.complaint[slot] !== 0) return true;
  for (let k = 0; k < K; k++) if (model.topic[slot * K + k] !== 0) return true;
  return false;
}

/** Number of 1 bits of a 32-bit integer (the classic SWAR count). */
function bitCount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Scores a feature vector with both models in one pass: writes the topic logits (TOPICS order)
 * into `topicLogits` and returns the complaint logit. Sums run in feature order, as in model.ts.
 */
export function scorePacked(
  packed: PackedModel,
  indices: readonly number[],
  values: readonly number[],
  topicLogits: Float64Array,
): number {
  const { live, rowsBefore, rows } = packed;
  // One local per topic (K is 9, checked below): the sums stay in registers, not in memory.
  let z = 0;
  let t0 = 0;
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  let t4 = 0;
  let t5 = 0;
  let t6 = 0;
  let t7 = 0;
  let t8 = 0;
  for (let i = 0; i < indices.length; i++) {
    const slot = indices[i];
    const word = live[slot >>> 5];
    const bit = 1 << (slot & 31);
    if ((word & bit) === 0) continue;
    // (bit - 1) & word: the live slots below this one in its word.
    const at = (rowsBefore[slot >>> 5] + bitCount(word & (bit - 1))) * STRIDE;
    const v = values[i];
    z += rows[at] * v;
    t0 += rows[at + 1] * v;
    t1 += rows[at + 2] * v;
    t2 += rows[at + 3] * v;
    t3 += rows[at + 4] * v;
    t4 += rows[at + 5] * v;
    t5 += rows[at + 6] * v;
    t6 += rows[at + 7] * v;
    t7 += rows[at + 8] * v;
    t8 += rows[at + 9] * v;
  }
  topicLogits[0] = t0;
  topicLogits[1] = t1;
  topicLogits[2] = t2;
  topicLogits[3] = t3;
  topicLogits[4] = t4;
  topicLogits[5] = t5;
  topicLogits[6] = t6;
  topicLogits[7] = t7;
  topicLogits[8] = t8;
  return z;
}

if (K !== 9)
  throw new Error('packed.ts: scorePacked is written for 9 topics; update it with TOPICS');
