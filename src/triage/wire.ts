/**
 * A result as clients read it (`throughline classify`, `POST /api/v1/triage/classify`, a stored
 * message's triage in the case view): `area` is always an object, with null fields and confidence
 * 0 when no place was found, so a client can read `area.confidence` without a check (the pipeline
 * and the stored JSON keep null). Its own file so the case view can use it without loading the
 * model.
 */
import type { TriageResult } from './types.js';

export function onTheWire<T extends TriageResult>(r: T) {
  return {
    ...r,
    area: r.area ?? { postalCode: null, city: null, region: null, country: null, confidence: 0 },
  };
}
