/**
 * Texts written without capitals ("no signal in new york, ny since noon"), common on social
 * media. The place finders read capitalised words, because in a normally written text the capital
 * is what tells "in Reading" from "in reading mode". Where a text carries no case at all, that
 * evidence is absent rather than negative: such a text is read again with its content words
 * capitalised and a state code after a comma in capitals ("in New York, NY"), so the same
 * finders, with their own safeguards (known places only, sizeable ones when named alone, the
 * ambiguous list), decide.
 */

import { findCity } from './area-gazetteer.js';
import { US_STATES } from './area-places.js';

/** Words left in lower case: prepositions the finders read as such, and other function words. */
const FUNCTION_WORDS = new Set(
  (
    'in at near around across outside from downtown throughout within the of and or to for on ' +
    'my our your their his her its it is are was were be been being i im me we you he she they ' +
    'them us this that these those so but not no yes ok all just still since with by up out down ' +
    'off over again here there now today tonight why what how when where who hi hey hello thanks ' +
    'thank please can cant do dont does doesnt did has have had will would should could get got ' +
    'am if as into about after before every until than then too very really also only even ever ' +
    'never some any each more most much many one two a an'
  ).split(' '),
);

/**
 * Sizeable places whose names are everyday words (checked against an English word list): in a text
 * without capitals "in reading mode" and "at flint" say nothing of a place.
 */
const WORD_PLACES = new Set(
  'reading riverside flint boulder anchorage canton apo cologne manila savannah'.split(' '),
);

/**
 * Short city nicknames, read only in capitals elsewhere (area-city.ts: "LA", not "La Jolla"),
 * written in capitals when the whole text has none ("in nyc"). Not "la" (a word in Spanish and
 * French) nor airport codes ("lax", "ord" are words too).
 */
const SHORT_ALIASES = new Set([
  'nyc',
  'sf',
  'dc',
  'atl',
  'atx',
  'htx',
  'dfw',
  'phx',
  'pdx',
  'slc',
  'stl',
  'abq',
  'tus',
  'buf',
  'okc',
]);

/** A letter that may start a sentence without saying anything about the word ("Hey. my …"). */
function sentenceStart(text: string, at: number): boolean {
  if (at === 0) return true;
  const before = text.slice(Math.max(0, at - 2), at);
  return /[.!?]\s$/.test(before) || before.endsWith('\n');
}

/**
 * A salutation naming whom it greets ("Hi Vireo team,", "Hello Support -"): its capitals are the
 * company's name, not the writer's way with places.
 */
const SALUTATION_RE =
  /^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b[^,.!?\n]{0,30}[,!\n-]/i;

/**
 * Whether the text's capitals carry nothing: none but a sentence's first letter and the pronoun
 * "I" ("I'm", "I've"). A handle's or hashtag's capitals ("@VireoCare", "#NewOrleans"), those
 * of an opening salutation and a state's code after a comma say nothing of how the writer writes
 * a place: "@VireoCare is there an outage in houston tx?" and "internet down fresno, CA" are
 * written without capitals.
 */
export function caseless(text: string): boolean {
  const salutation = SALUTATION_RE.exec(text);
  for (let at = salutation ? salutation[0].length : 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 64 /* @ */ || c === 35 /* # */) {
      while (at + 1 < text.length && !/\s/.test(text[at + 1])) at++;
      continue;
    }
    if (c < 65 || c > 90) continue;
    if (sentenceStart(text, at)) continue;
    if (stateCodeAfterComma(text, at)) {
      at++;
      continue;
    }
    const next = text.charCodeAt(at + 1);
    const alone = !(next >= 97 && next <= 122) && !(next >= 65 && next <= 90);
    if (c === 73 && alone) continue; // "I", "I'm"
    return false;
  }
  return true;
}

/**
 * Whether the text is written in capitals throughout (a dozen letters or more, no more than one
 * in ten in lower case, handles and hashtags aside): its capitals carry no more than none do.
 */
export function shouted(text: string): boolean {
  let upper = 0;
  let lower = 0;
  for (const word of text.split(/\s+/)) {
    if (word.startsWith('@') || word.startsWith('#')) continue;
    for (const ch of word) {
      if (ch >= 'A' && ch <= 'Z') upper++;
      else if (ch >= 'a' && ch <= 'z') lower++;
    }
  }
  return upper >= 12 && lower * 10 <= upper + lower;
}

/**
 * A state's code in capitals after a comma and a town of that state ("fresno, CA"): the way an
 * address is written, which says nothing of how the writer writes a place's name ("ugh, OK" does).
 */
function stateCodeAfterComma(text: string, at: number): boolean {
  const code = text.slice(at, at + 2);
  if (!/^[A-Z]{2}$/.test(code) || /[A-Za-z]/.test(text[at + 2] ?? '')) return false;
  const before = /((?:[a-z][a-z'’.-]* ){0,2}[a-z][a-z'’.-]*), ?$/.exec(
    text.slice(Math.max(0, at - 40), at),
  );
  return !!before && placeOfState(before[1], code);
}

/**
 * The text with its content words capitalised, and a state code after a comma in capitals where
 * the words before the comma are a place of that state ("Detroit, MI"; not "Ugh, Oh well").
 */
export function capitalised(text: string): string {
  return text
    .replace(/(^|[\s,#(])([a-z][a-z'’.-]*)/g, (all, sep: string, word: string) =>
      FUNCTION_WORDS.has(word) || WORD_PLACES.has(word)
        ? all
        : SHORT_ALIASES.has(word.replace(/\.+$/, ''))
          ? sep + word.toUpperCase()
          : sep + word[0].toUpperCase() + word.slice(1),
    )
    .replace(
      /((?:[A-Z][A-Za-z'’.-]* ){0,2}[A-Z][A-Za-z'’.-]*)(, ?| )([A-Z][a-z]|in|or|me|hi|ok)\b/g,
      (all, place: string, sep: string, code: string, at: number, whole: string) =>
        placeOfState(place, code.toUpperCase()) && codeSaid(whole, at, all.length, sep, code)
          ? all.slice(0, -2) + code.toUpperCase()
          : all,
    );
}

/** Before a place, words that put the customer there ("out in portland, me"). */
const PUT_RE = /\b(?:in|near|around|across|outside|from|throughout|downtown|at)\s+$/;
/** After a state code: the text's end, punctuation or an emoji, not a sentence's next word. */
const AFTER_RE = /^\s*(?:$|[^\sA-Za-z])/;

/**
 * Whether the two letters after a town of that state are its state. After a comma a code that
 * is not a word is ("Detroit, Mi"); one that is a function word left in lower case ("me", "in",
 * "or", "hi", "ok") only where the text puts a place before it ("out in portland, me") or nothing
 * but punctuation follows: "called portland, me and my wife" is about a person. Without the comma
 * ("portland me — no signal", a profile's "portland me") only before punctuation or the end.
 */
function codeSaid(text: string, at: number, length: number, sep: string, code: string): boolean {
  const after = AFTER_RE.test(text.slice(at + length));
  if (sep === ' ') return after;
  return (
    code[0] !== code[0].toLowerCase() || after || PUT_RE.test(text.slice(Math.max(0, at - 12), at))
  );
}

/** Whether the last one to three words of `place` name a town of the state `code`. */
function placeOfState(place: string, code: string): boolean {
  if (!US_STATES.has(code)) return false;
  const words = place.split(' ');
  for (let s = 0; s < words.length; s++) if (findCity(words.slice(s).join(' '), code)) return true;
  return false;
}
