/**
 * Triage: what each inbound message is (language, complaint or not, topic, sentiment, urgency,
 * area, spam/bot/promo, personal data). Runs in-process with no external service: a small linear
 * model trained on our own sentences (see data/triage/README.md) plus lexicons and rules.
 *
 * `classify` is the pipeline's classify stage and the engine of `throughline classify`.
 */
import { extractArea } from './area.js';
import { analyse } from './features.js';
import { detectLanguage } from './language.js';
import { sigmoid, softmaxInPlace, type TriageModel } from './model.js';
import { packModel, scorePacked } from './packed.js';
import { findPii } from './pii.js';
import { RULE_LOGIT } from './short-trouble.js';
import { spamFlags } from './spam.js';
import { addTopicWords, loadShippedTopicWords, type TopicWords } from './topic-words.js';
import { knownWords, troubleIn } from './trouble-in.js';
import { TOPICS, type Topic, type TriageInput, type TriageResult } from './types.js';
import { loadShippedModel } from './weights.js';

export { applyCorrections, type Correction } from './corrections.js';
export {
  modelFromJSON,
  modelToJSON,
  type TriageModel,
} from './model.js';
export { loadShippedTopicWords, type TopicWords } from './topic-words.js';
export type { Area, PiiSpan, Topic, TriageInput, TriageResult, UrgencyKind } from './types.js';
export { TOPICS } from './types.js';
export { loadShippedModel } from './weights.js';
export { onTheWire } from './wire.js';

export interface Triage {
  readonly model: TriageModel;
  classify(input: TriageInput): TriageResult;
}

/** Three decimals, as every score is reported. */
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * A triage instance over a given model (e.g. the shipped one with an installation's corrections)
 * and topic-words head (topic-words.ts; null: the linear topic model alone, for comparisons).
 */
export function createTriage(
  model: TriageModel = loadShippedModel(),
  topicWords: TopicWords | null = loadShippedTopicWords(),
): Triage {
  const probs = new Float64Array(TOPICS.length);
  const packed = packModel(model);
  const known = knownWords(topicWords);
  return {
    model,
    classify(input: TriageInput): TriageResult {
      const text = typeof input.text === 'string' ? input.text : '';
      const a = analyse(text);
      let logit = scorePacked(packed, a.indices, a.values, probs);
      // The short-text rule (short-trouble.ts): "no service in 94110" is a complaint the model
      // alone scores low. It adds to the model's logit, so strong evidence against still counts.
      // Its place first: a report long only by the place it names is read without it.
      const area = extractArea(text, input.authorLocation, a.body);
      const trouble = troubleIn(a.words, () => area, known);
      if (trouble) logit += RULE_LOGIT;
      // The topic-words head adds its logits to the linear model's (topic only: it knows word
      // meanings, not complaints). Not on a short trouble report whose phrase names a topic: the
      // phrase list is our taxonomy word for word ("lost service" is network, "service is out"
      // an outage), while the head, knowing only which words are alike, blurs network and
      // outage ("no service at all today" went to outage).
      if (topicWords && !trouble?.topic) addTopicWords(topicWords, a.words, probs);
      const complaintScore = sigmoid(logit);
      // An advert is nobody's complaint, whatever its words ("get FREE unlimited data 👉
      // bit.ly/…" scored 0.87 on "data"); the score stays the model's, for whoever tunes the
      // threshold. Spam by shape only (many hashtags) stays a complaint if it reads as one.
      const flags = spamFlags(text);
      const complaint = complaintScore >= model.complaintThreshold && !flags.advert;
      softmaxInPlace(probs);
      let best = 0;
      for (let k = 1; k < TOPICS.length; k++) if (probs[k] > probs[best]) best = k;
      // A complaint is never praise (that is sarcasm the lexicon missed): take the runner-up.
      if (complaint && TOPICS[best] === 'praise') {
        best = best === 0 ? 1 : 0;
        for (let k = 0; k < TOPICS.length; k++) {
          if (TOPICS[k] !== 'praise' && probs[k] > probs[best]) best = k;
        }
      }
      // A trouble report the topic model files under other (or praise) takes the phrase's topic;
      // so does one it files under service when a plea ended it: "internet and tv are both out.
      // I want a call back" is an outage whose writer wants a call, and "call back" is service.
      if (complaint && trouble?.topic) {
        const chosen = TOPICS[best];
        if (chosen === 'other' || chosen === 'praise' || (chosen === 'service' && trouble.plea)) {
          best = TOPICS.indexOf(trouble.topic);
        }
      }
      // When a rule above overrode the model's top topic, the chosen topic takes the top score
      // and the displaced one the chosen's: scores still sum to 1, and a router thresholding on
      // topicScores[topic] sees the topic it is given on top ("no wifi": network 0.33 under
      // other 0.65 before).
      let top = 0;
      for (let k = 1; k < TOPICS.length; k++) if (probs[k] > probs[top]) top = k;
      if (top !== best) [probs[top], probs[best]] = [probs[best], probs[top]];
      const topicScores = topicScoresOf(probs);
      return {
        language: detectLanguage(text),
        complaint,
        complaintScore: round(complaintScore),
        topic: TOPICS[best],
        topicScores,
        sentiment: round(a.sentiment.score),
        urgency: a.urgency,
        area,
        spam: flags.spam,
        bot: flags.bot,
        promo: flags.promo,
        pii: findPii(text),
      };
    },
  };
}

/**
 * Written out rather than filled in a loop over TOPICS: one object shape for every message instead
 * of nine keyed stores into a growing dictionary. Same keys in the same order (TOPICS order).
 */
function topicScoresOf(probs: Float64Array): Record<Topic, number> {
  return {
    network: round(probs[0]),
    outage: round(probs[1]),
    billing: round(probs[2]),
    account: round(probs[3]),
    device: round(probs[4]),
    service: round(probs[5]),
    delivery: round(probs[6]),
    praise: round(probs[7]),
    other: round(probs[8]),
  };
}
if (TOPICS.join() !== 'network,outage,billing,account,device,service,delivery,praise,other') {
  throw new Error('triage: topicScoresOf() lists the topics in TOPICS order; update it');
}

let defaultTriage: Triage | undefined;

/** Classifies one message with the shipped model (loaded once, on first call). */
export function classify(input: TriageInput): TriageResult {
  defaultTriage ??= createTriage();
  return defaultTriage.classify(input);
}
