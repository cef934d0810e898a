/**
 * Learning from agents' corrections: the shipped model, fine-tuned on the corrections an
 * installation's agents made (a topic, a complaint flag, or both, for a message's text).
 *
 * Pure and deterministic: the same corrections in the same order give the same weights, so every
 * node rebuilds the same model from the stored corrections (installation.ts) and no weights are
 * stored. How and why (measured in data/triage/README.md):
 *
 * - A step's size follows the length of the corrected text. A step of rate r along a text's
 *   gradient moves that text's own scores by r·|x|²·(target - p), x its feature vector: with a
 *   fixed rate (0.3 before) a median tweet (|x|² ≈ 45) moved by ~13 logits, and the features every
 *   text shares (bias, length, sentiment) by the full rate at every correction, so whichever
 *   corrections were replayed last decided the model. Here r = 1/L, L the largest curvature of
 *   the text's loss along x: |x|²/4 for the logistic loss (p(1-p) ≤ 1/4), |x|²/2 for the softmax
 *   (the largest eigenvalue of diag(p) - ppᵀ is at most 1/2). That is the usual safe step of
 *   gradient descent, never past the lowest point of the loss's local quadratic model, and it
 *   moves the corrected text's scores by the same amount (4·(target - p) and 2·(target - p)
 *   logits) however long the text. Later passes take 1/(1 + pass) of it.
 * - Only what a text says is learned: the bias and the sentiment, shape and length buckets, which
 *   nearly every text has, are never stepped, and no weight moves more than MAX_SHIFT from the
 *   trained one (correction-weights.ts). Otherwise a batch of corrections that all say the same
 *   thing recalibrates every text: 20 Spanish network complaints made "What are your store
 *   hours?" a complaint. |x|² above counts the stepped features only.
 * - The topic-words head (topic-words.ts) is not corrected: its logits are added to the linear
 *   model's in every step, as classify() adds them, so the learner moves the topic classify()
 *   gives, and no further than needed where the head already agrees with the correction.
 * - The corrections are replayed in several seeded orders, and the weights averaged over the end
 *   of every pass of every order (Polyak averaging, as the trainer does, src/triage/train): the
 *   result depends on what was corrected, hardly on the order.
 */

import { rng, shuffle } from '../platform/random.js';
import { extractArea } from './area.js';
import { CorrectionWeights, type LocalFeatures } from './correction-weights.js';
import { analyse } from './features.js';
import type { TriageModel } from './model.js';
import { RULE_LOGIT } from './short-trouble.js';
import { addTopicWords, loadShippedTopicWords, type TopicWords } from './topic-words.js';
import { knownWords, troubleIn } from './trouble-in.js';
import { TOPICS, type Topic } from './types.js';

export interface Correction {
  text: string;
  topic?: Topic;
  complaint?: boolean;
}

export interface CorrectionOptions {
  /** Passes over the corrections in each order; a pass's step is 1/(1 + pass) of the first. */
  epochs?: number;
  /** Seeded orders the corrections are replayed in; their snapshots are averaged. */
  orders?: number;
  /** The topic-words head classify() will use with the result (the shipped one by default). */
  topicWords?: TopicWords | null;
}

// The first pass's steps times |x|² (see above): 1 / the largest curvature of each loss.
const COMPLAINT_STEP = 4;
const TOPIC_STEP = 2;
// Any constant: it only has to be the same on every node.
const SEED = 12345;

interface Item {
  x: LocalFeatures;
  /** Index in TOPICS, or -1 when the correction says nothing of the topic. */
  topic: number;
  complaint: 0 | 1 | null;
  /** Added to the complaint logit: the short-text rule's weight when it fires on the text. */
  offset: number;
  /** Added to the topic logits: the topic-words head's (null when it has none for the text). */
  topicOffset: Float64Array | null;
}

/**
 * Returns a new model: `model` fine-tuned on `corrections`; `model` itself is left as is, so the
 * caller can keep the shipped model and rebuild from the stored corrections at any time.
 */
export function applyCorrections(
  model: TriageModel,
  corrections: readonly Correction[],
  options: CorrectionOptions = {},
): TriageModel {
  const run = learn(model, corrections, options);
  let step = run.next();
  while (!step.done) step = run.next();
  return step.value;
}

/**
 * The same as `applyCorrections`, giving the event loop a turn after every pass: a server
 * rebuilding from thousands of corrections (up to a second of work) keeps answering meanwhile.
 */
export async function applyCorrectionsYielding(
  model: TriageModel,
  corrections: readonly Correction[],
  options: CorrectionOptions = {},
): Promise<TriageModel> {
  const run = learn(model, corrections, options);
  let step = run.next();
  while (!step.done) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    step = run.next();
  }
  return step.value;
}

/** The learner, pausing (yielding) after each pass over the corrections. */
function* learn(
  model: TriageModel,
  corrections: readonly Correction[],
  options: CorrectionOptions,
): Generator<void, TriageModel, void> {
  const epochs = options.epochs ?? 4;
  const orders = options.orders ?? 4;
  const next: TriageModel = {
    ...model,
    complaint: model.complaint.slice(),
    topic: model.topic.slice(),
    corrections: model.corrections + corrections.length,
  };
  if (corrections.length === 0 || epochs < 1 || orders < 1) return next;
  const analysed = corrections.map((c) => analyse(c.text));
  const weights = new CorrectionWeights(model, analysed);
  const head = options.topicWords === undefined ? loadShippedTopicWords() : options.topicWords;
  // The rule as classify() reads it with this head (misspellings, places: trouble-in.ts).
  const known = knownWords(head);
  // (A correction keeps its text only: the place is the text's, never a profile's.)
  const troubles = corrections.map((c, n) =>
    troubleIn(analysed[n].words, () => extractArea(c.text), known),
  );
  const items: Item[] = corrections.map((c, n) => ({
    x: weights.features(analysed[n]),
    topic: c.topic === undefined ? -1 : TOPICS.indexOf(c.topic),
    complaint: c.complaint === undefined ? null : c.complaint ? 1 : 0,
    // The learner sees the logit classify() uses, rule included, so a correction of a short
    // trouble report to "not a complaint" is learned rather than taken as already right.
    offset: troubles[n] ? RULE_LOGIT : 0,
    // As classify() adds it: not on a short trouble report whose phrase names the topic.
    topicOffset: head && !troubles[n]?.topic ? headLogits(head, analysed[n].words) : null,
  }));
  const rand = rng(SEED);
  for (let order = 0; order < orders; order++) {
    weights.reset();
    shuffle(items, rand);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const scale = 1 / (1 + epoch);
      for (const { x, topic, complaint, offset, topicOffset } of items) {
        if (x.norm2 === 0) continue;
        if (topic >= 0) weights.topicStep(x, topic, (scale * TOPIC_STEP) / x.norm2, topicOffset);
        if (complaint !== null)
          weights.complaintStep(x, complaint, (scale * COMPLAINT_STEP) / x.norm2, offset);
      }
      weights.snapshot();
      yield;
    }
  }
  weights.writeMean(next);
  return next;
}

function headLogits(head: TopicWords, words: readonly string[]): Float64Array {
  const out = new Float64Array(TOPICS.length);
  addTopicWords(head, words, out);
  return out;
}
