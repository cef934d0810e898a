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
import { spamFlags } from './spam.js';
import { TOPICS, type Topic, type TriageInput, type TriageResult } from './types.js';
import { urgencySignals } from './urgency.js';
import { loadShippedModel } from './weights.js';

export {
  applyCorrections,
  type Correction,
  modelFromJSON,
  modelToJSON,
  type TriageModel,
} from './model.js';
export type { Area, PiiSpan, Topic, TriageInput, TriageResult, UrgencyKind } from './types.js';
export { TOPICS } from './types.js';
export { loadShippedModel } from './weights.js';

export interface Triage {
  readonly model: TriageModel;
  classify(input: TriageInput): TriageResult;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A triage instance over a given model (e.g. the shipped one with an installation's corrections). */
export function createTriage(model: TriageModel = loadShippedModel()): Triage {
  const probs = new Float64Array(TOPICS.length);
  const packed = packModel(model);
  return {
    model,
    classify(input: TriageInput): TriageResult {
      const text = typeof input.text === 'string' ? input.text : '';
      const a = analyse(text);
      const complaintScore = sigmoid(scorePacked(packed, a.indices, a.values, probs));
      const complaint = complaintScore >= model.complaintThreshold;
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
      const topicScores = {} as Record<Topic, number>;
      for (let k = 0; k < TOPICS.length; k++) topicScores[TOPICS[k]] = round(probs[k]);
      const flags = spamFlags(text);
      return {
        language: detectLanguage(text),
        complaint,
        complaintScore: round(complaintScore),
        topic: TOPICS[best],
        topicScores,
        sentiment: round(a.sentiment.score),
        urgency: urgencySignals(text),
        area: extractArea(text, input.authorLocation),
        spam: flags.spam,
        bot: flags.bot,
        promo: flags.promo,
        pii: findPii(text),
      };
    },
  };
}

let defaultTriage: Triage | undefined;

/** Classifies one message with the shipped model (loaded once, on first call). */
export function classify(input: TriageInput): TriageResult {
  defaultTriage ??= createTriage();
  return defaultTriage.classify(input);
}
