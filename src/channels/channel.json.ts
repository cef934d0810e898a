import { isSafeNumber, parse } from 'lossless-json';

/**
 * JSON.parse that never rounds a number: integers beyond 2^53 (X and Meta ids, e.g. the v1.1
 * Tweet `id` beside its `id_str`, or a Page-feed `sender_id`) come back as their exact decimal
 * string. Safe numbers stay numbers. X's docs: "use id_str … JavaScript cannot represent these
 * integers" (developer.x.com, Twitter IDs).
 */
export function parseJsonExact(text: string): unknown {
  return parse(text, null, (value: string) => (isSafeNumber(value) ? Number(value) : value));
}

/** A value that may be a JSON number or string id, as a string (or undefined). */
export function idString(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

/** Narrowing helpers for untrusted provider payloads. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
