/**
 * Personal data spans, so a public reply never repeats them and logs can mask them. Offsets are
 * UTF-16 indices into the original text (what String.prototype.slice takes).
 */
import type { PiiSpan } from './types.js';

// An address starts where no address character precedes it (so a long run of letters is tried
// once, not from each of its letters: linear time on any text), with RFC 5321's part lengths,
// and a domain of dot-separated labels ending in a top-level domain of letters.
const EMAIL_RE =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/g;
// 13-19 digits, optionally grouped by spaces, dashes or dots (card numbers), checked with Luhn.
const CARD_RE = /\b\d(?:[ .-]?\d){12,18}\b/g;
// North American numbers in their usual spellings, and E.164 for everyone else.
const PHONE_RE = /(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)|\b\d{3})[ .-]?\d{3}[ .-]?\d{4}\b|\+\d{8,15}\b/g;
// International numbers written in groups ("+44 7911 123456", "+33 6 12 34 56 78"): a country
// code (never starting with 0, unlike a time zone's "+0530"), then groups each after a separator
// (so a digit run is split one way only: linear time), 8 to 15 digits in all (E.164).
const INTL_PHONE_RE = /\+[1-9]\d{0,2}(?:[ .-]\(?\d{1,9}\)?){1,7}(?!\d)/g;
// National numbers with a trunk 0 and at least one separator ("07911 123456", "020 7946 0958"):
// 10 or 11 digits in all. A solid run of digits is more often an order number.
const NATIONAL_PHONE_RE = /\b0\d{2,4}[ .-]\d{3,4}[ .-]?\d{3,4}\b/g;
// Dashed, or spaced when called an SSN ("invoice 100 12 2024" is not one).
const SSN_RE =
  /\b\d{3}-\d{2}-\d{4}\b|(?<=\b(?:ssn|social security(?: number)?)[:#]?\s*)\d{3} \d{2} \d{4}\b/gi;
// An account number is a digit run introduced as one ("acct #", "account number", "a/c no").
const ACCOUNT_RE =
  /\b(?:account|acct|a\/c|acc|customer|member)(?:\s*(?:number|no\.?|num|#|id))?\s*(?:is|:|#)?\s*(\d[\d -]{3,18}\d)/gi;
// An IBAN: country, check digits, then 11-30 letters and digits, often in groups of four;
// checked with its mod-97 rule (ISO 13616).
const IBAN_RE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;

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
    for (const m of text.matchAll(IBAN_RE))
      if (ibanValid(m[0])) push(spans, 'account', m.index, m.index + m[0].length);
    for (const m of text.matchAll(PHONE_RE)) push(spans, 'phone', m.index, m.index + m[0].length);
    for (const m of text.matchAll(INTL_PHONE_RE)) {
      const n = countDigits(m[0]);
      if (n >= 8 && n <= 15) push(spans, 'phone', m.index, m.index + m[0].length);
    }
    for (const m of text.matchAll(NATIONAL_PHONE_RE)) {
      const n = countDigits(m[0]);
      if (n >= 10 && n <= 11) push(spans, 'phone', m.index, m.index + m[0].length);
    }
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

/** ISO 13616: the IBAN moved four characters on, letters as 10-35, is 1 modulo 97. */
function ibanValid(raw: string): boolean {
  const iban = raw.replace(/ /g, '');
  if (iban.length < 15 || iban.length > 34) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (let i = 0; i < moved.length; i++) {
    const c = moved.charCodeAt(i);
    const v = c <= 57 ? c - 48 : c - 55;
    rest = v >= 10 ? (rest * 100 + v) % 97 : (rest * 10 + v) % 97;
  }
  return rest === 1;
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
