/**
 * Text and time helpers for the twcs format.
 *
 * Tweets in twcs carry the HTML escaping that the Twitter API applied to `text` (`&amp;`, `&lt;`,
 * `&gt;` — see the v1.1 Tweet object docs), and `created_at` uses Twitter's v1.1 date format
 * (`Tue Oct 31 22:10:47 +0000 2017`), which `Date.parse` only reads by accident of V8.
 */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

// One pass over the string, so `&amp;gt;` becomes the literal `&gt;` (what the author typed) and is
// not decoded twice into `>`.
const ENTITY_RE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,6}));/g;

/** Decodes the HTML entities Twitter puts into tweet text; unknown names are left as they are. */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    ENTITY_RE,
    (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
      const code =
        dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16);
      // Lone surrogates and out-of-range code points would make invalid strings: keep the entity.
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) return whole;
      return String.fromCodePoint(code);
    },
  );
}

/**
 * The text we hand to the pipeline: entities decoded, and CR / CRLF line breaks made LF so that one
 * tweet (id 3399 in the sample has bare CRs) reads the same on every terminal and in JSON.
 * `raw` keeps the original bytes for audit.
 */
export function normaliseTweetText(text: string): string {
  return decodeHtmlEntities(text).replace(/\r\n?/g, '\n');
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const TWITTER_DATE_RE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/;

/**
 * Parses `Tue Oct 31 22:10:47 +0000 2017` to epoch milliseconds; also accepts an ISO-8601 string
 * with a zone (some re-saved copies of the corpus convert the column). Returns null when neither.
 */
export function parseTwitterDate(value: string): number | null {
  const s = value.trim();
  const m = TWITTER_DATE_RE.exec(s);
  if (m) {
    const [, mon, day, hh, mm, ss, sign, oh, om, year] = m;
    const utc = Date.UTC(
      Number(year),
      MONTHS[mon],
      Number(day),
      Number(hh),
      Number(mm),
      Number(ss),
    );
    const offsetMin = (Number(oh) * 60 + Number(om)) * (sign === '-' ? -1 : 1);
    const ms = utc - offsetMin * 60_000;
    // Date.UTC rolls "Feb 31" over into March; reject instead of inventing a date.
    if (new Date(utc).getUTCDate() !== Number(day)) return null;
    return ms;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}
