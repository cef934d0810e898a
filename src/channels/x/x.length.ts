/**
 * X's weighted post length (twitter-text v3 configuration, developer.x.com "Counting
 * characters"): text is NFC-normalised; every URL counts 23 (t.co wrapping); an emoji counts 2
 * whatever its code points (ZWJ sequences, flags, skin tones, keycaps); a code point in
 * U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F or U+2032–U+2037 counts 1; any other (CJK, …)
 * counts 2. A post may weigh 280.
 *
 * We implement the documented rules instead of depending on the `twitter-text` package, whose last
 * release is from 2019, and we never count less than X: a reply we accept must not be refused for
 * length. twitter-text finds URLs with and without a protocol ("acme.io/help", "www.acme.com",
 * "acme.com") when the last label is a TLD on its list, not after `@`, `$`, `#` or a letter, and
 * (without a protocol) not a lone `name.cc` nor after `-_./`. Where we are sure X takes a URL it
 * counts 23; where X may or may not (a TLD we do not list, a preceding character that forbids
 * it, a non-ASCII domain), it counts the more of the two readings, so the count can be higher
 * than X's, never lower. Our path and query characters are a subset of twitter-text's and end
 * where its own may end, so a URL of ours never runs past the end of X's.
 */
export const X_MAX_WEIGHTED_LENGTH = 280;
export const X_URL_WEIGHT = 23;

/**
 * TLDs on twitter-text's list that a customer-care reply is likely to name; any other TLD is
 * counted the safe way (see `uncertain` below), never as a plain 23.
 */
const KNOWN_TLDS = new Set(
  (
    'com net org edu gov mil int info biz name pro mobi asia tel travel jobs aero coop museum cat ' +
    'app dev io ai co me tv cc ly gl gg fm ws to la sh ac so xyz online site store shop tech ' +
    'cloud help support email news blog live page link club agency digital services company ' +
    'us uk ca de fr es it nl be ch at se no dk fi pl ru jp cn in au nz br mx ar za ie pt gr cz ' +
    'hu ro sk tr il kr tw hk sg my id ph vn th eu is lu li ee lv lt si hr rs bg ua by kz ae sa ' +
    'eg ng ke cl pe uy ve ec bo py cr pa do gt hn sv ni cu jm tt pr nu ms vg ky bm'
  ).split(' '),
);

// A domain label: letters, digits and symbols (twitter-text's domain characters are everything
// but punctuation, spaces and controls), with `-` and `_` inside.
const C = '[^\\s\\p{P}\\p{Z}\\p{C}]';
const LABEL = `${C}(?:(?:${C}|[-_])*${C})?`;
// A TLD ends before anything but [a-z0-9@+-], as in twitter-text.
const TLD = `(?:xn--[a-z0-9-]+|[a-z]{2,}|\\p{L}{2,})(?![a-z0-9@+\\-])`;
const PATH = "/(?:[a-z0-9!*';:=+,.$/%#\\[\\]\\-_~&|@]*[a-z0-9=_#/+\\-])?";
const QUERY = "\\?[a-z0-9!?*';:&=+$/%#\\[\\]\\-_.,~|@]*[a-z0-9\\-_&=#/]";
const URL_RE = new RegExp(
  `(https?://)?((?:${LABEL}\\.)+)(${TLD})(?::\\d{1,5})?(${PATH})?(${QUERY})?`,
  'giu',
);
/** Before a URL twitter-text wants none of these; before a URL without a protocol, not `-_./`. */
const BAD_BEFORE = /[a-z0-9@＠$#＃\u202A-\u202E]/i;
const BAD_BEFORE_BARE = /[-_./]/;

const EMOJI_RE = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
const LIGHT: [number, number][] = [
  [0x0000, 0x10ff],
  [0x2000, 0x200d],
  [0x2010, 0x201f],
  [0x2032, 0x2037],
];

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function codePointWeight(cp: number): number {
  for (const [lo, hi] of LIGHT) if (cp >= lo && cp <= hi) return 1;
  return 2;
}

/** The weight of text without URLs. */
function textWeight(text: string): number {
  let total = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (EMOJI_RE.test(segment)) {
      total += 2;
      continue;
    }
    for (const ch of segment) total += codePointWeight(ch.codePointAt(0)!);
  }
  return total;
}

/** What one URL-like match counts, and up to where (it may leave a tail to count as text). */
function urlWeight(m: RegExpExecArray, before: string): number {
  const [whole, protocol, labels, tld] = m;
  const domain = labels + tld;
  const ascii = /^[a-z0-9.\-_]+$/i.test(domain);
  const names = labels.slice(0, -1).split('.');
  const sure =
    KNOWN_TLDS.has(tld.toLowerCase()) &&
    ascii &&
    !BAD_BEFORE.test(before) &&
    (protocol || !BAD_BEFORE_BARE.test(before)) &&
    // The label before the TLD takes no `_` (subdomains may); labels are at most 63 long.
    !names.at(-1)!.includes('_') &&
    names.every((n) => n.length <= 63) &&
    // Without a protocol, a lone "name.cc" is no URL to twitter-text unless a path follows.
    (protocol || whole.length > domain.length || names.length > 1 || tld.length > 2) &&
    whole.length <= 4096;
  if (sure) return X_URL_WEIGHT;
  // X may read it as text, or as a URL that ends as early as the first TLD it could take
  // (`a.com.zz` may be the URL `a.com` then `.zz`): count whichever weighs more.
  const first = new RegExp(`^(?:https?://)?${LABEL}\\.${TLD}`, 'iu').exec(whole);
  const shortest = first ? first[0].length : whole.length;
  return Math.max(textWeight(whole), X_URL_WEIGHT + textWeight(whole.slice(shortest)));
}

export function xWeightedLength(text: string): number {
  const normal = text.normalize('NFC');
  let total = 0;
  // URLs never span whitespace: each run of other characters is read on its own, which also
  // bounds the regex's backtracking to one run.
  for (const [token] of normal.matchAll(/\s+|\S+/g)) {
    if (/\s/.test(token[0]) || !token.includes('.')) total += textWeight(token);
    // Longer than any URL X takes (4,096): as if every dot began one, more than X can count.
    else if (token.length > 4096) total += textWeight(token) + X_URL_WEIGHT * dots(token);
    else total += tokenWeight(token);
  }
  return total;
}

const dots = (s: string) => s.split('.').length - 1;

function tokenWeight(token: string): number {
  let total = 0;
  let last = 0;
  for (const m of token.matchAll(URL_RE)) {
    total += textWeight(token.slice(last, m.index));
    total += urlWeight(m as RegExpExecArray, token.slice(Math.max(0, m.index - 1), m.index));
    last = m.index + m[0].length;
  }
  return total + textWeight(token.slice(last));
}
