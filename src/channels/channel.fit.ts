import { TEXT_MAX } from '../ingest/inbound.schema.js';
import type { ParsedMessage } from './channel.parsed.js';

/** Room kept for the marker ("… [truncated: 2900000 characters]" is 35 code units). */
const MARKER_ROOM = 64;

/**
 * The text cut to `max` UTF-16 code units with a visible marker saying how many characters
 * (code points) were cut; the same string when it fits. Never splits a surrogate pair.
 */
export function fitText(text: string, max = TEXT_MAX): string {
  if (text.length <= max) return text;
  let keep = max - MARKER_ROOM;
  const c = text.charCodeAt(keep - 1);
  if (c >= 0xd800 && c <= 0xdbff) keep--;
  const cut = text.slice(keep);
  const pairs = cut.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0;
  return `${text.slice(0, keep)}… [truncated: ${cut.length - pairs} characters]`;
}

/**
 * A webhook message whose text is longer than the inbound schema allows, cut to fit. The API
 * answers such a message 400 and its sender can send another; a provider cannot be told (it
 * got its 200, and would re-send the same text anyway), so the whole message used to be
 * acknowledged and then parked for good by the pipeline. Keeping its beginning, marked as cut,
 * keeps the customer's complaint on the desk. The provider's raw payload is kept as it came.
 */
export function fitMessage(p: ParsedMessage): ParsedMessage {
  const text = fitText(p.message.text);
  return text === p.message.text ? p : { ...p, message: { ...p.message, text } };
}
