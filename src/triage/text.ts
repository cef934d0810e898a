/**
 * Text normalisation and tokenisation shared by every triage part, so the model sees at run time
 * exactly what it saw in training. Kept regex-light because it runs once per ingested message.
 */
import { WordTable } from './word-table.js';

export const URL_RE = /\b(?:https?:\/\/|www\.)\S+/gi;
// Handles of care desks (@XHelp, @YCares, @ZSupport): a message to one is a request for help,
// which matters because after normalisation every other handle looks alike.
const CARE_HANDLE_RE = /(?:help|care|cares|support|service|assist|customer|ask)/i;
const ENTITY_RE = /&(amp|lt|gt|quot|#39|apos);/g;
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  apos: "'",
};
// Letters-with-apostrophes words, placeholders, digits runs, ! ? and pictographic emoji, and the
// clause breaks (a comma or semicolon; a full stop or colon before a space or the end) that
// tokenize() records as `breaks` and never passes on as words.
const TOKEN_RE = /__[a-z]+__|[a-z][a-z']*|\d+|[!?]|\p{Extended_Pictographic}|[,;]|[.:](?=\s|$)/gu;
const ELONGATION_RE = /([a-z])\1{2,}/g;

/** Whether a letter a-z appears 3+ times in a row ("sooo"); a loop, as a regex per token was slow. */
function hasElongation(t: string): boolean {
  for (let i = 2; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 97 && c <= 122 && c === t.charCodeAt(i - 1) && c === t.charCodeAt(i - 2)) return true;
  }
  return false;
}

/** Decode the few HTML entities X sends in tweet text (`&amp;` etc.). */
export function decodeEntities(text: string): string {
  return text.indexOf('&') === -1 ? text : text.replace(ENTITY_RE, (_m, e: string) => ENTITIES[e]);
}

/** Typographic apostrophes and their look-alikes made plain (`doesn’t` is `doesn't`). */
export function foldApostrophes(text: string): string {
  return text.replace(/[\u2018\u2019\u02bc\u2032`\u00b4]/g, "'");
}

/** Text with URLs and @mentions replaced by placeholders, entities decoded, curly quotes folded. */
export function normalise(text: string): string {
  return replaceMentions(decodeEntities(text).replace(URL_RE, ' __url__ '))
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"');
}

/**
 * text.replace(/@\w{1,30}/g, m => placeholder) as a loop: a replace with a callback cost more than
 * the rest of normalising. A mention is "@" and then 1-30 word characters (\w, ASCII).
 */
function replaceMentions(text: string): string {
  let at = text.indexOf('@');
  if (at === -1) return text;
  let out = '';
  let copied = 0;
  while (at !== -1) {
    let end = at + 1;
    while (end - at <= 30 && isWordChar(text.charCodeAt(end))) end++;
    if (end === at + 1) {
      at = text.indexOf('@', at + 1);
      continue;
    }
    const handle = text.slice(at, end);
    out += text.slice(copied, at) + (CARE_HANDLE_RE.test(handle) ? ' __atcare__ ' : ' __at__ ');
    copied = end;
    at = text.indexOf('@', end);
  }
  return out + text.slice(copied);
}

/** \w without the u flag: A-Z, a-z, 0-9 and _. */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

// Negations written with and without the apostrophe, folded to "<verb> not". Every key ends in
// "t", which tokenize() checks before looking a token up.
const CONTRACTIONS = new WordTable<string>([
  ["can't", 'can'],
  ['cant', 'can'],
  ['cannot', 'can'],
  ["won't", 'will'],
  ['wont', 'will'],
  ['dont', 'do'],
  ['doesnt', 'does'],
  ['didnt', 'did'],
  ['isnt', 'is'],
  ['arent', 'are'],
  ['wasnt', 'was'],
  ['werent', 'were'],
  ['havent', 'have'],
  ['hasnt', 'has'],
  ['hadnt', 'had'],
  ['couldnt', 'could'],
  ['wouldnt', 'would'],
  ['shouldnt', 'should'],
  ['aint', 'is'],
]);

export interface Tokens {
  /** Lower-cased tokens; elongations ("sooo") squeezed to two letters; n't split to "not". */
  words: string[];
  /** Number of words written in capitals (shouting), at least 2 letters long. */
  shouted: number;
  /**
   * Indices into `words` that a clause break (",", ";", a sentence's "." or ":") comes before, in
   * ascending order. Only sentiment reads them (a negation's reach ends there: "no, it's great
   * now"); they are not words, so the model's n-grams are those of the text without them.
   */
  breaks: number[];
}

export function tokenize(text: string): Tokens {
  const norm = normalise(text);
  let shouted = 0;
  const caps = norm.match(/\b[A-Z]{3,}\b/g);
  if (caps) shouted = caps.length;
  const lower = norm.toLowerCase();
  const raw = isAscii(lower) ? asciiTokens(lower) : (lower.match(TOKEN_RE) ?? []);
  const words: string[] = [];
  const breaks: number[] = [];
  for (let t of raw) {
    if (t.length === 1 && isBreak(t.charCodeAt(0))) {
      if (breaks[breaks.length - 1] !== words.length) breaks.push(words.length);
      continue;
    }
    if (t.length > 3 && hasElongation(t)) t = t.replace(ELONGATION_RE, '$1$1');
    if (t.charCodeAt(t.length - 1) === 116 /* t */) {
      const contracted = CONTRACTIONS.get(t);
      if (contracted) {
        words.push(contracted, 'not');
        continue;
      }
    }
    // Most tokens have no apostrophe, so the suffix checks below are skipped for them.
    if (t.indexOf("'") !== -1) {
      if (t.endsWith("n't")) {
        // "doesn't" -> "does not", so both spellings meet the same lexicon entries.
        words.push(t.slice(0, -3), 'not');
        continue;
      }
      if (t.endsWith("'s") || t.endsWith("'m") || t.endsWith("'d")) t = t.slice(0, -2);
      else if (t.endsWith("'re") || t.endsWith("'ve") || t.endsWith("'ll")) t = t.slice(0, -3);
      if (t.endsWith("'")) t = t.slice(0, -1);
    }
    // Tokens that start with a digit are digit runs (TOKEN_RE).
    const c0 = t.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57) t = t.length >= 5 ? '__longnum__' : '__num__';
    if (t) words.push(t);
  }
  return { words, shouted, breaks };
}

/** , ; . : (the clause breaks TOKEN_RE and asciiTokens emit). */
function isBreak(c: number): boolean {
  return c === 44 || c === 59 || c === 46 || c === 58;
}

export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * lower.match(TOKEN_RE) for lower-case ASCII text (most messages), as a loop: the regex, built for
 * Unicode emoji, was the largest single cost of tokenising. Each branch is one TOKEN_RE alternative,
 * tried in the same order; no ASCII character is pictographic.
 */
function asciiTokens(lower: string): string[] {
  const out: string[] = [];
  const n = lower.length;
  let i = 0;
  while (i < n) {
    const c = lower.charCodeAt(i);
    if (c === 95 /* _ */ && lower.charCodeAt(i + 1) === 95) {
      // __[a-z]+__ (a placeholder); a lone "_" is no token.
      let j = i + 2;
      while (isLetter(lower.charCodeAt(j))) j++;
      if (j > i + 2 && lower.charCodeAt(j) === 95 && lower.charCodeAt(j + 1) === 95) {
        out.push(lower.slice(i, j + 2));
        i = j + 2;
      } else i++;
    } else if (isLetter(c)) {
      // [a-z][a-z']*
      let j = i + 1;
      for (let d = lower.charCodeAt(j); isLetter(d) || d === 39; d = lower.charCodeAt(++j));
      out.push(lower.slice(i, j));
      i = j;
    } else if (c >= 48 && c <= 57) {
      // \d+
      let j = i + 1;
      for (let d = lower.charCodeAt(j); d >= 48 && d <= 57; d = lower.charCodeAt(++j));
      out.push(lower.slice(i, j));
      i = j;
    } else {
      if (c === 33) out.push('!');
      else if (c === 63) out.push('?');
      else if (c === 44 || c === 59) out.push(lower[i]);
      else if ((c === 46 || c === 58) && (i + 1 === n || isSpace(lower.charCodeAt(i + 1))))
        out.push(lower[i]);
      i++;
    }
  }
  return out;
}

/** \s for ASCII: space, tab, line breaks, vertical tab, form feed. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** Words that flip the polarity of the next few words. Contractions arrive as "not". */
export const NEGATORS = new WordTable<true>(
  ['not', 'no', 'never', 'nothing', 'nobody', 'none', 'without', 'nor'].map((w) => [w, true]),
);
