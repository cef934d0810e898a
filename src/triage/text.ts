/**
 * Text normalisation and tokenisation shared by every triage part, so the model sees at run time
 * exactly what it saw in training. Kept regex-light because it runs once per ingested message.
 */
import { WordTable } from './word-table.js';

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/gi;
const MENTION_RE = /@\w{1,30}/g;
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
// Letters-with-apostrophes words, placeholders, digits runs, ! ? and pictographic emoji.
const TOKEN_RE = /__[a-z]+__|[a-z][a-z']*|\d+|[!?]|\p{Extended_Pictographic}/gu;
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

/** Text with URLs and @mentions replaced by placeholders, entities decoded, curly quotes folded. */
export function normalise(text: string): string {
  return decodeEntities(text)
    .replace(URL_RE, ' __url__ ')
    .replace(MENTION_RE, (m) => (CARE_HANDLE_RE.test(m) ? ' __atcare__ ' : ' __at__ '))
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"');
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
}

export function tokenize(text: string): Tokens {
  const norm = normalise(text);
  let shouted = 0;
  const caps = norm.match(/\b[A-Z]{3,}\b/g);
  if (caps) shouted = caps.length;
  const raw = norm.toLowerCase().match(TOKEN_RE) ?? [];
  const words: string[] = [];
  for (let t of raw) {
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
  return { words, shouted };
}

/** Words that flip the polarity of the next few words. Contractions arrive as "not". */
export const NEGATORS = new WordTable<true>(
  ['not', 'no', 'never', 'nothing', 'nobody', 'none', 'without', 'nor'].map((w) => [w, true]),
);
