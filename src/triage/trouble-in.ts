/**
 * The short-text rule (short-trouble.ts) as classify() and the corrections learner apply it: with
 * misspellings read against the topic-words vocabulary, and a report made long only by the place
 * it names read without the place. "can't finish a single phone call in New York NY" is eleven
 * words, three of them where; the place says nothing about whether it is a complaint, and on a
 * day of trouble customers name it more than usual (one in three of the outside-style set's
 * incident complaints that named a place was too long for the rule by its place alone).
 */
import { gaz } from './area-gazetteer.js';
import { US_ALIASES } from './area-places.js';
import { longOnlyByPlace, type ShortTrouble, shortTrouble } from './short-trouble.js';
import { tokenize } from './text.js';
import type { TopicWords } from './topic-words.js';
import type { Area } from './types.js';

/** A vocabulary of real words for the rule's misspellings, from the topic-words head. */
export function knownWords(head: TopicWords | null): ((w: string) => boolean) | undefined {
  return head ? (w) => head.index.has(w) : undefined;
}

/**
 * The rule's reading of a text's words (`words` from tokenize or analyse; `area`, the text's place
 * as extractArea reads it, asked for only when the text is long by a few words).
 */
export function troubleIn(
  words: readonly string[],
  area: () => Area | null,
  known: ((w: string) => boolean) | undefined,
): ShortTrouble | null {
  const direct = shortTrouble(words, { known });
  if (direct || !longOnlyByPlace(words)) return direct;
  const place = placeWords(area());
  if (place.size === 0) return null;
  return shortTrouble(withoutPlace(words, place), { known });
}

/** Words that say where before a place ("in Denver", "around downtown Austin"). */
const WHERE = new Set(['in', 'around', 'near', 'across', 'throughout', 'at']);
const BEFORE_PLACE = new Set(['the', 'downtown', 'all', 'of']);

/** The words without the place's, and without the "in" before it. */
function withoutPlace(words: readonly string[], place: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (place.has(w)) continue;
    if (WHERE.has(w)) {
      let j = i + 1;
      while (j < words.length && BEFORE_PLACE.has(words[j])) j++;
      if (j < words.length && place.has(words[j])) continue;
    }
    out.push(w);
  }
  return out;
}

/**
 * The words naming the text's own place: its city's ("los", "angeles", and "losangeles" for
 * "#LosAngeles"), the city's nicknames ("nyc", "nola"), its state's code and name, and a postal
 * code (the tokenizer's long-number placeholder).
 */
export function placeWords(area: Area | null): Set<string> {
  const out = new Set<string>();
  if (!area) return out;
  const add = (name: string) => {
    const ws = tokenize(name).words.filter((w) => w.charCodeAt(0) !== 95);
    for (const w of ws) out.add(w);
    if (ws.length > 1) out.add(ws.join(''));
  };
  if (area.city) {
    add(area.city);
    for (const [alias, [city]] of US_ALIASES) if (city === area.city) add(alias);
  }
  if (area.region) {
    out.add(area.region.toLowerCase());
    for (const name of statesNamed(area.region)) add(name);
  }
  // A postal code is a long number to the tokenizer: its "in" goes with it ("in 75201").
  if (area.postalCode && /^\d{5,}/.test(area.postalCode)) out.add('__longnum__');
  return out;
}

let namesOfState: Map<string, string[]> | undefined;
function statesNamed(code: string): string[] {
  if (!namesOfState) {
    namesOfState = new Map();
    for (const [name, abbr] of gaz().stateNames) {
      const list = namesOfState.get(abbr);
      if (list) list.push(name);
      else namesOfState.set(abbr, [name]);
    }
  }
  return namesOfState.get(code) ?? [];
}
