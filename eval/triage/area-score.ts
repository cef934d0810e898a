/**
 * Scoring of extracted areas against our labels (labels/area-real.csv): pure functions, so the
 * report and its test share them.
 */
import type { Area } from '../../src/triage/types.js';

export interface GoldArea {
  postalCode: string;
  city: string;
  region: string;
  country: string;
}

export const FIELDS = ['country', 'region', 'city', 'postalCode'] as const;
export type Field = (typeof FIELDS)[number];

/** What went wrong with one tweet, most basic first: the first failing check names the kind. */
export const OUTCOMES = [
  'right',
  'false place',
  'missed',
  'wrong country',
  'wrong region',
  'wrong city',
  'wrong postcode',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function hasPlace(gold: GoldArea): boolean {
  return FIELDS.some((f) => gold[f] !== '');
}

/** Cities compare ignoring case, punctuation, hyphens and "St."/"Saint"; other fields exactly. */
export function sameValue(field: Field, gold: string, got: string | null): boolean {
  if (got === null) return false;
  if (field !== 'city') return gold === got;
  return cityKey(gold) === cityKey(got);
}

function cityKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/\bst\.? /g, 'saint ')
    .replace(/-/g, ' ')
    .replace(/[^a-z ]/g, '')
    .replace(/ +/g, ' ')
    .trim();
}

export function outcomeOf(gold: GoldArea, got: Area | null): Outcome {
  const place = hasPlace(gold);
  if (!place) return got ? 'false place' : 'right';
  if (!got) return 'missed';
  const checks: [Field, Outcome][] = [
    ['country', 'wrong country'],
    ['region', 'wrong region'],
    ['city', 'wrong city'],
    ['postalCode', 'wrong postcode'],
  ];
  for (const [field, kind] of checks)
    if (gold[field] !== '' && !sameValue(field, gold[field], got[field])) return kind;
  return 'right';
}

export interface AreaScore {
  n: number;
  /** Per field: tweets whose label has the field, and how many of them the extractor got right. */
  fields: Record<Field, { labelled: number; correct: number }>;
  /** "Has a place" as a binary decision. */
  place: { tp: number; fp: number; fn: number; tn: number };
  outcomes: Record<Outcome, number>;
}

export function scoreAreas(pairs: readonly { gold: GoldArea; got: Area | null }[]): AreaScore {
  const fields = Object.fromEntries(FIELDS.map((f) => [f, { labelled: 0, correct: 0 }])) as Record<
    Field,
    { labelled: number; correct: number }
  >;
  const place = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const { gold, got } of pairs) {
    const g = hasPlace(gold);
    if (g && got) place.tp++;
    else if (g) place.fn++;
    else if (got) place.fp++;
    else place.tn++;
    for (const f of FIELDS) {
      if (gold[f] === '') continue;
      fields[f].labelled++;
      if (got && sameValue(f, gold[f], got[f])) fields[f].correct++;
    }
    outcomes[outcomeOf(gold, got)]++;
  }
  return { n: pairs.length, fields, place, outcomes };
}
