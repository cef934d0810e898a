import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { chunks, ERASED, scrubTriage } from './scrub.js';

/** How an erased person is written in other people's posts: their @handles and their names. */
export interface Mentions {
  handles: string[];
  names: string[];
  /**
   * Their identities' addresses (an e-mail address, a phone number, an account number) as an
   * agent may type them into a problem's title or update; ids of social channels are not
   * among them (handles cover those, and a bare number is more likely something else).
   */
  addresses?: { channel: string; address: string }[];
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PHONE_CHANNELS = new Set(['sms', 'voice', 'whatsapp']);
// What people put between a phone number's digits: spaces, dots, dashes, brackets.
const PHONE_SEP = '[\\s().-]*';

/**
 * A phone number as it may be written: in full (`+14155550999`, `+1 (415) 555-0999`) or, for a
 * number of more than ten digits, its last ten (`415-555-0999`, the national form in NANP).
 */
function phonePatterns(address: string): string[] {
  const digits = address.replace(/\D/g, '');
  if (digits.length < 7) return [];
  const spaced = (d: string) => d.split('').join(PHONE_SEP);
  const out = [`\\+?${spaced(digits)}`];
  if (digits.length > 10) out.push(spaced(digits.slice(-10)));
  return out;
}

/** The patterns (case-insensitive) that find an identity's address in free text. */
function addressPatterns(a: { channel: string; address: string }): string[] {
  const address = a.address.trim();
  if (!address || address === ERASED) return [];
  if (PHONE_CHANNELS.has(a.channel)) return phonePatterns(address);
  if (a.channel === 'email' || a.channel === 'account')
    return address.length >= 4 ? [literal(address)] : [];
  return [];
}

// Letters, digits and `_` of any script: a match must not start or end inside a word.
const EDGE_BEFORE = '(?<![\\p{L}\\p{N}_@])';
const EDGE_AFTER = '(?![\\p{L}\\p{N}_])';

/**
 * The replacer for these mentions, or null when there is nothing safe to look for. Masked:
 * `@handle` (any case), a handle written bare when it is not a plain number (twcs handles are
 * numeric ids), a full name of several words (any case), and each word of a name of 3 letters
 * or more as it is capitalised in the name ("Zelda", not "will" for a Will): a name word written
 * in lower case in someone else's post is more likely a word than the person; and their
 * addresses (`Mentions.addresses`), any case.
 */
export function mentionMasker(m: Mentions): ((text: string) => string) | null {
  const insensitive = new Set<string>();
  const sensitive = new Set<string>();
  for (const raw of m.handles) {
    const h = raw.trim().replace(/^@/, '');
    if (!h) continue;
    insensitive.add(`@${literal(h)}`);
    if (!/^\d+$/.test(h) && h.length >= 3) insensitive.add(literal(h));
  }
  for (const raw of m.names) {
    const name = raw.trim().replace(/\s+/g, ' ');
    if (!name || name === ERASED) continue;
    // A name of one word is a word like the others: matched as capitalised.
    if (name.includes(' ')) insensitive.add(literal(name).replace(/ /g, '\\s+'));
    for (const word of name.split(' ')) if (/^\p{L}{3,}$/u.test(word)) sensitive.add(literal(word));
  }
  for (const a of m.addresses ?? []) for (const p of addressPatterns(a)) insensitive.add(p);
  if (insensitive.size === 0 && sensitive.size === 0) return null;
  // Longest first, so that a full name goes as one, not word by word.
  const alt = (set: Set<string>) => [...set].sort((a, b) => b.length - a.length).join('|');
  const patterns = [
    insensitive.size
      ? new RegExp(`${EDGE_BEFORE}(?:${alt(insensitive)})${EDGE_AFTER}`, 'giu')
      : null,
    sensitive.size ? new RegExp(`${EDGE_BEFORE}(?:${alt(sensitive)})${EDGE_AFTER}`, 'gu') : null,
  ].filter((p): p is RegExp => p !== null);
  return (text) => patterns.reduce((t, p) => t.replace(p, ERASED), text);
}

/**
 * Their handles and names: of their identities (and those a merged-away customer brought to its
 * survivor) and of their customer records. Read before erasure deletes and blanks them.
 */
export async function mentionsOf(
  trx: Kysely<DB>,
  customerIds: readonly string[],
  identityIds: readonly string[],
): Promise<Mentions> {
  const out: Mentions = { handles: [], names: [], addresses: [] };
  for (const [column, list] of [
    ['customer_id', customerIds],
    ['id', identityIds],
  ] as const) {
    for (const part of chunks(list)) {
      const rows = await trx
        .selectFrom('identities')
        .select(['handle', 'name', 'channel', 'address'])
        .where(column, 'in', part)
        .execute();
      for (const r of rows) {
        out.addresses!.push({ channel: r.channel, address: r.address });
        if (r.handle) out.handles.push(r.handle);
        if (r.name) out.names.push(r.name);
      }
    }
  }
  for (const part of chunks(customerIds)) {
    const rows = await trx
      .selectFrom('customers')
      .select('display_name')
      .where('id', 'in', part)
      .execute();
    for (const r of rows) if (r.display_name) out.names.push(r.display_name);
  }
  return out;
}

/** Every string in a parsed JSON value, masked. */
function maskDeep(v: unknown, mask: (s: string) => string): unknown {
  if (typeof v === 'string') return mask(v);
  if (Array.isArray(v)) return v.map((x) => maskDeep(x, mask));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskDeep(x, mask)]));
  return v;
}

/**
 * Other people's posts in an erased person's own cases (a public conversation they started)
 * are kept, but a reply addressed to them (`@handle thanks Zelda`) names them, and text search
 * finds their erased case by it. Their handles and names are masked in those posts, in the
 * stored text (the SQLite index follows by trigger; PostgreSQL searches the column) and in the
 * raw inbound event each came from. The triage's PII spans go (their offsets were into the old
 * text). Best effort: a nickname or a misspelling is not found. Returns how many posts changed.
 */
export async function maskMentions(
  trx: Kysely<DB>,
  workspaceId: string,
  caseIds: readonly string[],
  customerIds: readonly string[],
  mentions: Mentions,
): Promise<number> {
  const mask = mentionMasker(mentions);
  if (!mask) return 0;
  const theirs = new Set(customerIds);
  let n = 0;
  for (const part of chunks(caseIds)) {
    const rows = await trx
      .selectFrom('messages')
      .select(['id', 'channel', 'external_id', 'customer_id', 'text', 'triage_json', 'raw_json'])
      .where('workspace_id', '=', workspaceId)
      .where('case_id', 'in', part)
      .execute();
    for (const m of rows) {
      if (m.text === ERASED || (m.customer_id !== null && theirs.has(m.customer_id))) continue;
      const text = mask(m.text);
      const raw = m.raw_json === null ? null : remask(m.raw_json, mask);
      if (text === m.text && raw === m.raw_json) continue;
      await trx
        .updateTable('messages')
        .set({ text, raw_json: raw, triage_json: scrubTriage(m.triage_json) })
        .where('id', '=', m.id)
        .execute();
      const logged = await trx
        .selectFrom('inbound_events')
        .select(['seq', 'payload_json'])
        .where('workspace_id', '=', workspaceId)
        .where('channel', '=', m.channel)
        .where('external_id', '=', m.external_id)
        .execute();
      for (const e of logged) {
        const payload = remask(e.payload_json, mask);
        if (payload !== e.payload_json)
          await trx
            .updateTable('inbound_events')
            .set({ payload_json: payload })
            .where('seq', '=', e.seq)
            .execute();
      }
      n++;
    }
  }
  return n;
}

/** A JSON document with its strings masked (returned as it was when it does not parse). */
function remask(json: string, mask: (s: string) => string): string {
  try {
    return JSON.stringify(maskDeep(JSON.parse(json), mask));
  } catch {
    return json;
  }
}
