/**
 * The worker side of ClassifyAhead (classify-ahead.ts): holds a triage instance over the model the
 * main thread sent last and classifies logged payloads the pipeline is about to take, exactly as
 * the classify stage would (normalised text, channel, author location).
 */
import { parentPort } from 'node:worker_threads';
import { normaliseText } from '../ingest/pipeline/stages/normalise.js';
import { createTriage, type Triage } from './index.js';
import type { TriageModel } from './model.js';
import type { TriageInput } from './types.js';

export type AheadRequest =
  | { type: 'model'; generation: number; model: TriageModel }
  | { type: 'classify'; id: number; generation: number; events: [number, string][] };

export interface AheadAnswer {
  id: number;
  generation: number;
  /**
   * seq and its result as JSON: one string a result crosses the thread boundary far cheaper than
   * the structured clone of its many small objects, and is parsed only when taken.
   */
  results: [number, string][];
}

let triage: Triage | null = null;
let generation = -1;

parentPort?.on('message', (req: AheadRequest) => {
  if (req.type === 'model') {
    triage = createTriage(req.model);
    generation = req.generation;
    return;
  }
  const results: AheadAnswer['results'] = [];
  if (triage && req.generation === generation) {
    for (const [seq, payload] of req.events) {
      const input = inputOf(payload);
      if (input) results.push([seq, JSON.stringify(triage.classify(input))]);
    }
  }
  parentPort?.postMessage({ id: req.id, generation, results } satisfies AheadAnswer);
});

/**
 * What the classify stage passes for this payload (src/ingest/pipeline/stages/classify.ts, over
 * the fields normalise.ts sets); null when it would not classify it.
 */
function inputOf(payload: string): TriageInput | null {
  let m: {
    text?: unknown;
    channel?: unknown;
    direction?: unknown;
    author?: { location?: unknown };
  };
  try {
    m = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof m?.text !== 'string' || typeof m.channel !== 'string') return null;
  if ((m.direction ?? 'in') !== 'in') return null;
  // As the stage passes them, unchecked: an invalid payload is never asked for.
  return {
    text: normaliseText(m.text),
    channel: m.channel,
    authorLocation: m.author?.location as string | undefined,
  };
}
