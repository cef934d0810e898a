import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { RuleError } from '../channels/connector-error.js';
import type { OutboundMessage, Sender } from '../channels/sender.js';
import type { DB } from '../platform/db/schema.js';

/*
 * A status update the API takes (a body of up to 2,000 characters, in a template) can be longer
 * than one message of some channels holds: an SMS (1,600 characters as Twilio counts them), a
 * Messenger message (2,000), an Instagram message (1,000 bytes). A customer on those channels is
 * sent the notice as consecutive messages, cut at sentence (else word) boundaries, each marked
 * "(1/2)", as carriers split a long SMS; refusing it would leave every such customer untold. The
 * length rules are the channel's own (`Sender.check`, the code its send runs), so a part that
 * passes them is one the send takes. Other channels' length rules are not split: an X public
 * reply too long for 280 characters goes by DM instead (route.ts), a WhatsApp template parameter
 * is one template message.
 */

/** The channels' length rules (`RuleError.rule`) a notice is split for. */
const SPLITTABLE = new Set(['sms_length', 'messenger_length', 'instagram_bytes']);

/** At most this many parts: more would be a flood, not a notice; the send then refuses it. */
export const MAX_PARTS = 10;

/** Room the part mark takes at most (" (10/10)"), kept free in every part checked. */
const MARK_ROOM = ' (10/10)';

/** Whether an error is a splittable length refusal. */
const tooLong = (err: unknown) =>
  err instanceof RuleError && err.refusal === 'too_long' && SPLITTABLE.has(err.rule);

/**
 * The texts to send for `msg` through `sender`: the text itself when it fits (or the sender has
 * no rule to ask, or refuses it for another reason, which its send then reports), else its
 * parts, each within the channel's rule, marked "(k/n)". Read through `db`.
 */
export async function noticeParts(
  sender: Sender | undefined,
  db: Kysely<DB>,
  msg: OutboundMessage,
  now: number,
): Promise<string[]> {
  const check = sender?.check;
  if (!check) return [msg.text];
  try {
    await check(db, msg, now);
    return [msg.text];
  } catch (err) {
    if (!tooLong(err)) return [msg.text];
  }
  const fits = async (text: string) => {
    try {
      await check(db, { ...msg, text: text + MARK_ROOM }, now);
      return true;
    } catch (err) {
      return !tooLong(err);
    }
  };
  const parts = await splitText(msg.text, fits);
  if (parts.length < 2 || parts.length > MAX_PARTS) return [msg.text];
  return parts.map((p, i) => `${p} (${i + 1}/${parts.length})`);
}

/**
 * Cuts `text` into consecutive parts that each satisfy `fits` (a length rule: a part that fits
 * stays fitting when shortened): as many whole sentences as fit, else as many whole words, else
 * (one word longer than a part) as many characters. Whitespace at a cut is dropped; no surrogate
 * pair is split. Returns [] when not even one character fits.
 */
export async function splitText(
  text: string,
  fits: (part: string) => Promise<boolean>,
): Promise<string[]> {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest !== '' && parts.length <= MAX_PARTS) {
    if (await fits(rest)) {
      parts.push(rest);
      break;
    }
    const cut =
      (await longest(rest, boundaries(rest, /[.!?…]["')\]]*\s+/g), fits)) ??
      (await longest(rest, boundaries(rest, /\s+/g), fits)) ??
      (await longest(rest, codePoints(rest), fits));
    if (cut === null) return [];
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  return parts;
}

/** The ends of the separators `re` finds: where a part may end (its whitespace dropped). */
function boundaries(text: string, re: RegExp): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(re)) {
    const end = m.index + m[0].length;
    if (end < text.length) out.push(end);
  }
  return out;
}

/** Every position between two code points (none inside a surrogate pair). */
function codePoints(text: string): number[] {
  const out: number[] = [];
  let i = 0;
  for (const ch of text) {
    i += ch.length;
    if (i < text.length) out.push(i);
  }
  return out;
}

/** The largest of the ascending `cuts` whose prefix fits (binary search), or null. */
async function longest(
  text: string,
  cuts: number[],
  fits: (part: string) => Promise<boolean>,
): Promise<number | null> {
  let lo = 0;
  let hi = cuts.length - 1;
  let best: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const part = text.slice(0, cuts[mid]).trim();
    if (part !== '' && (await fits(part))) {
      best = cuts[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * The message id of part `k` (from 0) of a notice whose message id is `base`: the base itself
 * for the first, else one derived from it (UUID-shaped, with the base's time prefix), so a retry
 * after part 2 failed finds part 1 stored and does not send it again.
 */
export function partMessageId(base: string, k: number): string {
  if (k === 0) return base;
  const h = createHash('sha256').update(`${base}:${k}`).digest('hex');
  return `${base.slice(0, 24)}${h.slice(0, 12)}`;
}
