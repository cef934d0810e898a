/**
 * Slack's limits on what a message carries (Block Kit reference): a section block's `text` is at
 * most 3,000 characters, and Slack refuses a longer one with 400 `invalid_blocks` (the update was
 * then never delivered); the top-level `text` is at most 40,000. Lengths count the text as sent,
 * escapes included: escaping a 2,000-character update full of `&` or bidirectional controls
 * (`&lt;U+202E&gt;`, outbound-text.ts) makes it several times longer.
 */
export const SLACK_SECTION_MAX = 3_000;
export const SLACK_TEXT_MAX = 40_000;

/** Slack mrkdwn control characters (api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The longest escape `escapeSlack` makes (`&amp;`). */
const ESCAPE_MAX = '&amp;'.length;

/**
 * Escaped text cut to at most `max` characters, ending in `…` when cut. The cut never falls
 * inside an escape (`&am` would show as such, and `&l` followed by more text could read as
 * another entity) nor between the two halves of a surrogate pair.
 */
export function fitEscaped(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  if (max <= 0) return '';
  let cut = max - 1;
  const amp = escaped.lastIndexOf('&', cut - 1);
  // An escape begun before the cut and not ended by it: cut before it.
  if (amp >= 0 && amp > cut - ESCAPE_MAX && !escaped.slice(amp, cut).includes(';')) cut = amp;
  const last = escaped.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${escaped.slice(0, cut)}…`;
}
