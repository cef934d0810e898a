/**
 * Customer-controlled text (their display name, the case subject taken from their message) that a
 * template fills in. A macro sends without a preview, so in a public reply a display name such as
 * `@SomeoneElse https://phish.example/login` became a post by the brand's account mentioning a
 * third party and carrying the customer's link. What goes into a public reply is therefore made
 * inert: no mention or hashtag mark, no link, no control or bidi characters (which can reorder
 * what readers see), one line, and a sane length. A private reply or note goes to the customer
 * alone (or stays on the desk), so it keeps the words, still on one line and bounded. The check
 * refusing personal data in a public reply (`src/cases/reply-pii.ts`) still runs on the result.
 */

/** Control characters (line breaks, tabs, escapes): white space here. */
const CONTROL = /\p{Cc}/gu;
/**
 * Format characters: bidi overrides and isolates (which can reorder what readers see), zero-width
 * spaces, soft hyphens. Zero-width (non-)joiners stay: scripts and emoji need them.
 */
export const FORMAT = /(?![\u200c\u200d])\p{Cf}/gu;
/** Marks that make a mention or a hashtag (full-width forms too), and a cashtag's `$` before a letter. */
const MARKS = /[@#\uff03\uff20]|\$(?=\p{L})/gu;
/** A token a network would turn into a link: a scheme, `www.`, or `host.tld` (with a path or not). */
const LINK_LIKE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/?|www\.)|^[^\s/]*[\p{L}\p{N}-]\.\p{L}{2,}(?:[/:?#]|[^\p{L}\p{N}]*$)/iu;

/** The longest customer value a public reply takes, in characters. */
export const PUBLIC_VALUE_MAX = { name: 60, subject: 120 } as const;
/** The longest in a private reply or a note. */
export const PRIVATE_VALUE_MAX = { name: 200, subject: 300 } as const;

/** Cut to `max` characters at a word boundary when there is one; never halves a character. */
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const head = chars.slice(0, max).join('');
  const space = head.lastIndexOf(' ');
  return (space > 0 ? head.slice(0, space) : head).trim();
}

/** One line: no format characters, and control characters and runs of white space one space. */
function oneLine(text: string): string {
  return text.replace(CONTROL, ' ').replace(FORMAT, '').replace(/\s+/gu, ' ').trim();
}

/** For a public reply: no mention, hashtag or link can come of it. Empty when nothing is left. */
export function publicValue(text: string, max: number): string {
  const words = oneLine(text)
    .split(' ')
    .filter((w) => !LINK_LIKE.test(w.replace(/^[^\p{L}\p{N}]+/u, '')))
    .map((w) => w.replace(MARKS, ''))
    .filter((w) => w !== '');
  return cut(words.join(' '), max);
}

/** For a private reply or a note: the customer's words, on one line and bounded. */
export function privateValue(text: string, max: number): string {
  return cut(oneLine(text), max);
}
