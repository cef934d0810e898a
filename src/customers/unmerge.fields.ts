import type { MergeSnapshot } from './merge.service.js';

type Fields = MergeSnapshot['survivorBefore'];

const attrs = (json: string | null | undefined): Record<string, unknown> => {
  try {
    const v = JSON.parse(json ?? '{}') as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What a merge writes on the survivor: its own fields first, the merged customer's to fill gaps. */
export function mergedFields(survivor: Fields, merged: Fields): Omit<Fields, 'updated_at'> {
  return {
    display_name: survivor.display_name ?? merged.display_name,
    location: survivor.location ?? merged.location,
    reach: Math.max(Number(survivor.reach), Number(merged.reach)),
    attributes_json: JSON.stringify({
      ...attrs(merged.attributes_json),
      ...attrs(survivor.attributes_json),
    }),
  };
}

/** `fields`, dated as before the merge when they are exactly as they were then (an exact undo). */
export function asBefore(fields: Omit<Fields, 'updated_at'>, before: Fields, now: number): Fields {
  const unchanged = (['display_name', 'location', 'reach', 'attributes_json'] as const).every(
    (k) =>
      k === 'attributes_json'
        ? same(attrs(fields[k]), attrs(before[k]))
        : same(k === 'reach' ? Number(fields[k]) : fields[k], before[k]),
  );
  return {
    display_name: fields.display_name,
    location: fields.location,
    reach: Number(fields.reach),
    attributes_json: unchanged ? before.attributes_json : fields.attributes_json,
    updated_at: unchanged ? before.updated_at : now,
  };
}

/**
 * The survivor's fields after an unmerge: each field the merge set goes back to its value before
 * the merge only while it still holds what the merge wrote (recomputed from the snapshot, so old
 * merge records work too); a field someone changed since (an agent's corrected name) keeps its
 * current value. Of the attributes, only the keys the merged customer brought go, and only those
 * still holding its value: keys the survivor had, or that were set or changed since, stay.
 */
export function survivorAfterUnmerge(
  current: Omit<Fields, 'updated_at'>,
  snap: Pick<MergeSnapshot, 'survivorBefore' | 'mergedBefore'>,
): Omit<Fields, 'updated_at'> {
  const before = snap.survivorBefore;
  const wrote = mergedFields(before, snap.mergedBefore);
  const keep = <K extends 'display_name' | 'location' | 'reach'>(k: K) =>
    same(current[k], wrote[k]) ? before[k] : current[k];
  const now = attrs(current.attributes_json);
  const had = attrs(before.attributes_json);
  for (const [k, v] of Object.entries(attrs(snap.mergedBefore.attributes_json))) {
    if (!(k in had) && k in now && same(now[k], v)) delete now[k];
  }
  return {
    display_name: keep('display_name'),
    location: keep('location'),
    reach: Number(keep('reach')),
    attributes_json: JSON.stringify(now),
  };
}
