/** Where the committed weights live and how they are loaded (once, on first use). */
import { readFileSync } from 'node:fs';
import { modelFromJSON, type TriageModel } from './model.js';

/** Bump when the features or the training data change; stored in the weights file. */
export const MODEL_VERSION = 'triage-linear-v11';

export function modelUrl(): URL {
  return new URL('../../data/triage/model.v11.json', import.meta.url);
}

let shipped: TriageModel | undefined;

/** The model shipped in data/triage/, parsed on first call and cached for the process. */
export function loadShippedModel(): TriageModel {
  if (!shipped) shipped = modelFromJSON(JSON.parse(readFileSync(modelUrl(), 'utf8')));
  return shipped;
}
