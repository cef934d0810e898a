/**
 * Personal data spans, so a public reply never repeats them and logs can mask them. Offsets are
 * UTF-16 indices into the original text (what String.prototype.slice takes).
 */
import type { PiiSpan } from './types.js';

const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// 13-19 digits, optionally grouped by spaces or dashes (card numbers), checked with Luhn.
const CARD_RE = /\b\d(?:[ -]?\d){12,18}\b/g;
// North American numbers in their usual spellings, and E.164 for everyone else.
const PHONE_RE = /(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)|\b\d{3})[ .-]?\d{3}[ .-]?\d{4}\b|\+\d{8,15}\b/g;
const SSN_RE = /\b\d{3}-\d{2}-\d{4}\b/g;
// An account number is a digit run introduced as one ("acct #", "account number", "a/c no").
const ACCOUNT_RE =
  /\b(?:account|acct|a\/c|acc|customer|member)(?:\s*(?:number|no\.?|num|#|id))?\s*(?:is|:|#)?\s*(\d[\d -]{4,18}\d)/gi;

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function findPii(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  if (mayHoldEmail(text)) {
    for (const m of text.matchAll(EMAIL_RE)) push(spans, 'email', m.index, m.index + m[0].length);
  }
  // Cheap guard: most messages have no digit run at all.
  if (!/\d{3}/.test(text)) return spans;
  // A card has 13+ digits, an SSN 9, a phone number 8+: handles like @115712 need none of them.
  const manyDigits = countDigits(text) >= 8;
  if (manyDigits) {
    for (const m of text.matchAll(CARD_RE)) {
      const digits = m[0].replace(/\D/g, '');
      if (digits.length >= 13 && luhn(digits)) push(spans, 'card', m.index, m.index + m[0].length);
    }
    for (const m of text.matchAll(SSN_RE)) push(spans, 'ssn', m.index, m.index + m[0].length);
  }
  for (const m of text.matchAll(ACCOUNT_RE)) {
    const start = m.index + m[0].length - m[1].length;
    push(spans, 'account', start, start + m[1].length);
  }
  if (manyDigits) {
    for (const m of text.matchAll(PHONE_RE)) push(spans, 'phone', m.index, m.index + m[0].length);
  }
  return spans.sort((a, b) => a.start - b.start);
}

// Module-level helpers, not closures: findPii runs on every message.

/** Adds a span unless it overlaps one found earlier (earlier kinds win). */
function push(spans: PiiSpan[], kind: PiiSpan['kind'], start: number, end: number): void {
  for (const s of spans) if (start < s.end && end > s.start) return;
  spans.push({ kind, start, end });
}

/**
 * Whether some "@" follows a character an address can end its local part with. Every EMAIL_RE
 * match has one; an @mention at the start or after a space (nearly every tweet) does not.
 */
function mayHoldEmail(text: string): boolean {
  for (let at = text.indexOf('@', 1); at !== -1; at = text.indexOf('@', at + 1)) {
    const c = text.charCodeAt(at - 1);
    const local =
      (c >= 48 && c <= 57) || // 0-9
      (c >= 65 && c <= 90) || // A-Z
      (c >= 97 && c <= 122) || // a-z
      c === 46 || // .
      c === 95 || // _
      c === 37 || // %
      c === 43 || // +
      c === 45; // -
    if (local) return true;
  }
  return false;
}

function countDigits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** The text with every PII span replaced by a mask of the same kind, e.g. "[card]". */
export function maskPii(text: string, spans: readonly PiiSpan[]): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += `${text.slice(at, s.start)}[${s.kind}]`;
    at = s.end;
  }
  return out + text.slice(at);
}
