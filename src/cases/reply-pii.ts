/**
 * A public reply must never repeat a customer's personal data (issue #3: the PII spans exist
 * "so that a public reply never repeats them"). A macro's `{{case.subject}}`, or an agent
 * quoting the customer, could otherwise post a card number under the brand's name, where it
 * outlives the customer deleting their own post.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { findPii } from '../triage/pii.js';
import type { PiiKind } from '../triage/types.js';

/** Never fit for a public post, whoever's they are. */
const ALWAYS_PRIVATE: ReadonlySet<PiiKind> = new Set(['card', 'ssn']);
/** How many of the customer's messages in the case are read for their data (newest first). */
const MESSAGES_READ = 200;

/** The same number however it is written: "4111 1111-1111 1111", "+1 (415) 555-0100". */
function normalise(kind: PiiKind, value: string): string {
  if (kind === 'email') return value.trim().toLowerCase();
  const alnum = value.replace(/[^0-9a-z]/gi, '').toUpperCase();
  // A phone with or without its country code (+1 415… and 415…) is the same phone.
  return kind === 'phone' ? alnum.slice(-10) : alnum;
}

/**
 * Refuses (400) a public reply that carries a card or social security number, or an e-mail
 * address, phone or account number the customer gave in this case or that is one of their
 * identities. An agent's own contact details (the brand's support line or address) pass.
 */
export async function refuseRepeatedPii(
  trx: Kysely<DB>,
  caseId: string,
  customerId: string,
  text: string,
): Promise<void> {
  const spans = findPii(text);
  if (spans.length === 0) return;
  const kinds = new Set<PiiKind>();
  const theirs = await customerData(trx, caseId, customerId);
  for (const s of spans) {
    const value = text.slice(s.start, s.end);
    // The customer's own data is refused wherever it stands, in a link's query too; a card or
    // SSN shape of nobody's is refused unless a link's id explains it.
    if (
      theirs.has(`${s.kind}:${normalise(s.kind, value)}`) ||
      (ALWAYS_PRIVATE.has(s.kind) && !insideLink(text, s.start, s.end))
    ) {
      kinds.add(s.kind);
    }
  }
  if (kinds.size === 0) return;
  const named = [...kinds].map((k) => (k === 'ssn' ? 'social security number' : k)).join(', ');
  throw new AppError(
    'bad_request',
    `a public reply must not repeat the customer's personal data (${named}): remove it or reply privately`,
    { pii: [...kinds] },
  );
}

/**
 * A digit run inside a link is an id (a DM link's `recipient_id=…`, a post's `/status/…`), not a
 * card that happens to pass Luhn's check: the handoff's own public reply carries one. Only a
 * real link counts (a scheme, `www.` or a host with a path before the number, all in one word):
 * "#415-555-0100" or "ref=4111…" in prose is the number itself.
 */
function insideLink(text: string, start: number, end: number): boolean {
  let from = start;
  while (from > 0 && !/\s/.test(text[from - 1])) from--;
  const rest = text.slice(end).search(/\s/);
  const to = rest < 0 ? text.length : end + rest;
  // The whole span in the one word: a card written with spaces is not part of a link.
  if (/\s/.test(text.slice(start, end))) return false;
  const word = text.slice(from, to);
  if (!/^(?:https?:\/\/|www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)+\/)/i.test(word)) return false;
  // In the link's path or query, not its host.
  const before = text.slice(from, start).replace(/^https?:\/\//i, '');
  return before.includes('/');
}

/** `kind:value` of the personal data the customer wrote in the case or holds as identities. */
async function customerData(
  trx: Kysely<DB>,
  caseId: string,
  customerId: string,
): Promise<Set<string>> {
  const out = new Set<string>();
  const messages = await trx
    .selectFrom('messages')
    .select('text')
    .where('case_id', '=', caseId)
    .where('direction', '=', 'in')
    .orderBy('sent_at', 'desc')
    .limit(MESSAGES_READ)
    .execute();
  for (const m of messages) {
    for (const s of findPii(m.text)) {
      out.add(`${s.kind}:${normalise(s.kind, m.text.slice(s.start, s.end))}`);
    }
  }
  const identities = await trx
    .selectFrom('identities')
    .select(['channel', 'address'])
    .where('customer_id', '=', customerId)
    .execute();
  for (const i of identities) {
    if (i.channel === 'email') out.add(`email:${normalise('email', i.address)}`);
    if (i.channel === 'sms' || i.channel === 'voice' || i.channel === 'whatsapp') {
      out.add(`phone:${normalise('phone', i.address)}`);
    }
  }
  return out;
}
