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
  const taken = (start: number, end: number) => spans.some((s) => start < s.end && end > s.start);
  const push = (kind: PiiSpan['kind'], start: number, end: number) => {
    if (!taken(start, end)) spans.push({ kind, start, end });
  };
  if (text.includes('@')) {
    for (const m of text.matchAll(EMAIL_RE)) push('email', m.index, m.index + m[0].length);
  }
  // Cheap guard: most messages have no digit run at all.
  if (!/\d{3}/.test(text)) return spans;
  for (const m of text.matchAll(CARD_RE)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 13 && luhn(digits)) push('card', m.index, m.index + m[0].length);
  }
  for (const m of text.matchAll(SSN_RE)) push('ssn', m.index, m.index + m[0].length);
  for (const m of text.matchAll(ACCOUNT_RE)) {
    const start = m.index + m[0].length - m[1].length;
    push('account', start, start + m[1].length);
  }
  for (const m of text.matchAll(PHONE_RE)) push('phone', m.index, m.index + m[0].length);
  return spans.sort((a, b) => a.start - b.start);
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
