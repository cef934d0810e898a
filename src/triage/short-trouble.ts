/**
 * Short trouble reports: a rule beside the learned complaint model (data/triage/README.md, "Short
 * messages"). "no service in 94110" or "phone won't turn on" is what customers send during an
 * outage, and the linear model scores such texts low: a short text starts from the bias and the
 * short-length weight (about -3.3 logits, the priors of our many short thanks and replies) and its
 * two or three words cannot climb the ~2.9 logits to the threshold; a ZIP code (`__longnum__`) and
 * "in" even pull it down. This rule reads only short texts, looks for a phrase of trouble of the
 * writer's own, and adds a fixed weight to the model's logit (so a text the model is sure about, or
 * that agents corrected often enough, can still come out the other way).
 *
 * The phrases (trouble-phrases.ts) were written from how people report service trouble, not from
 * any data set; the probe set data/triage/probes/short.txt (test data, written first) checks them.
 * classify() applies the rule through trouble-in.ts, which reads misspellings and leaves a named
 * place out.
 */
import { NEGATORS, tokenize } from './text.js';
import {
  FIRST,
  IT_DOWN,
  PHRASES,
  type Phrase,
  plainWords,
  SELF_CONTAINED,
  THINGS,
} from './trouble-phrases.js';
import type { Topic } from './types.js';
import { Speller } from './typo.js';

/** At most this many words (placeholders, "?" and "!" not counted) make a text short. */
export const SHORT_WORDS = 8;

/**
 * Logits the rule adds to the complaint model's. Set so that a short text with nothing else for
 * or against it (bias + `len:short` of the shipped model: -3.36) lands at the rule's precision on
 * our own template sentences: of the 51 templates (data/triage/templates) it fires on as
 * classify() applies it (trouble-in.ts), 51 are complaints, 52/53 = 0.981 with add-one smoothing
 * (logit 3.95); 3.95 + 3.36 = 7.31. short-trouble.test.ts recomputes both from the templates and
 * the shipped weights.
 */
export const RULE_LOGIT = 7.31;

/** Words after a phrase that make it something else ("no service fee", "no data cap"). */
const NOT_AFTER = new Set(
  `fee fees charge charges cap caps contract plan plans area map alerts alert notice to on
  about needed password desk just protector better friday hints like of
  old price`.split(/\s+/),
);
/**
 * "on" after an outage or a charge says where it is ("outage on our street", "double charge on my
 * card"), not what it is about ("no service fee on the new plan").
 */
const ON_AFTER_OK = new Set(['outage', 'outages', 'another outage', 'outage again']);
for (const p of SELF_CONTAINED) ON_AFTER_OK.add(p);
/** "about" saying when ("went out about an hour ago", "about 2 hours ago"), not what about. */
const WHEN_ABOUT = new Set('a an hour hours minutes mins noon midnight lunchtime half'.split(' '));
/** Phrases that "to" may follow and stay trouble ("can't log in to pay my bill"). */
const TO_AFTER = new Set(
  ["can't log in", "can't login", "can't sign in"].map((p) => plainWords(p).join(' ')),
);
/** A statement-only phrase right after one of these is not trouble ("no outage", "any outages"). */
const NOT_BEFORE = new Set('no not never any known scheduled planned'.split(' '));
/** Trouble that is over, or only supposed ("if there is no service"). */
const SETTLED = new Set('back restored fixed resolved sorted solved if whenever'.split(' '));
/** "working again", "works now": the trouble is over ("not working again" is not). */
const WORKING = new Set(['working', 'works', 'worked']);
const AGAIN = new Set(['again', 'now', 'fine']);
/**
 * Before a word of SETTLED, words that say it is not over: wanted or awaited ("this needs to be
 * resolved", "when will it be back", "want it fixed") or denied ("not fixed", "isn't back yet",
 * "still not restored"). Without them "this needs to be resolved" read as trouble that was over.
 */
const UNSETTLED_BEFORE = new Set('be get want need needs'.split(' '));
function unsettled(words: readonly string[], i: number): boolean {
  const a = i > 0 ? words[i - 1] : '';
  const b = i > 1 ? words[i - 2] : '';
  return UNSETTLED_BEFORE.has(a) || NEGATORS.get(a) === true || NEGATORS.get(b) === true;
}
/**
 * Thanks and praise: they settle a trouble ("no service earlier, fine now thanks"), except beside
 * a trouble that came back, where they are irony ("great, another outage. thanks a lot").
 */
const PLEASED = new Set(
  'thanks thank thx ty appreciate appreciated great awesome perfect fine good love'.split(' '),
);
/**
 * "it's down" (tokenized "it down": the "'s" goes) is an outage only as a statement of its own:
 * first, or after a joining word ("I live in 10001 and it's down"). After a verb it is something
 * else ("turn it down", "put it down", "is it down?"), and before a place or a measure too ("it's
 * down the road", "it's down by 10%").
 */
const IT_DOWN_AFTER = new Set(
  'and but now so because cause cuz coz ugh yes yep again still'.split(' '),
);
const IT_DOWN_NOT_BEFORE = new Set('the by a stairs there here low pat'.split(' '));

/**
 * Pleas to the desk that may end a report without making it long: help, a call back, a fix, an
 * update. Longest first; matched as the text's last words, again and again.
 */
const PLEAS = `please fix this asap, please fix this, please fix it, please fix, fix this asap,
  fix it asap, fix this, fix it, please help me, please help, help me, help, please advise,
  i want a call back, i need a call back, i want a callback, i need a callback, please call me,
  please call me back, call me back, this needs to be resolved, this needs to be fixed,
  needs to be resolved, needs to be fixed, please resolve this, please look into this,
  any update, any updates, any eta, any news, asap, please,
  can somebody help me with that, can someone help me with that, can anyone help me with that,
  can you help me with that, could somebody look at that, could someone look at that,
  can somebody help me, can someone help me, can anyone help me, can you help me,
  can somebody help, can someone help, can anyone help, can you help,
  can somebody call me back, can someone call me back, can you call me back`
  .split(',')
  .map((p) => plainWords(p))
  .sort((a, b) => b.length - a.length);
const MAX_PLEA_WORDS = 8;

/**
 * Thanks that close a plea ("please call me back thanks"): the plea's courtesy, not a trouble
 * that is over ("fine now thanks"), so they go with it; thanks with no plea before them stay.
 */
const CLOSING_THANKS = [['thanks'], ['thank', 'you'], ['thx'], ['ty']];

/**
 * The number of words left when the pleas at the end (at most MAX_PLEA_WORDS) are taken off, with
 * the thanks that close them (`CLOSING_THANKS`).
 */
function withoutPleas(plain: readonly string[]): number {
  const thanks = CLOSING_THANKS.find(
    (t) => t.length < plain.length && t.every((w, i) => plain[plain.length - t.length + i] === w),
  );
  if (thanks) {
    const end = pleasTaken(plain, plain.length - thanks.length);
    if (end < plain.length - thanks.length) return end;
  }
  return pleasTaken(plain, plain.length);
}

/** The pleas ending `plain`'s first `from` words taken off: the number of words left. */
function pleasTaken(plain: readonly string[], from: number): number {
  let end = from;
  const floor = from - MAX_PLEA_WORDS;
  for (let again = true; again; ) {
    again = false;
    for (const plea of PLEAS) {
      const start = end - plea.length;
      if (start < Math.max(1, floor)) continue;
      let i = 0;
      while (i < plea.length && plain[start + i] === plea[i]) i++;
      if (i === plea.length) {
        end = start;
        again = true;
        break;
      }
    }
  }
  return end;
}

/** Words in the longest phrase. */
const LONGEST = Math.max(...[...PHRASES.keys()].map((k) => k.split(' ').length));

/**
 * A speaker's hesitations, as voice transcripts keep them ("yeah hi um the internet is out uh can
 * somebody help me with that"): no word of the report, and they would make it look long.
 */
const FILLERS = new Set('um umm uh uhh uhm erm hmm mm'.split(' '));

/**
 * A word of the report: not a placeholder ("__num__"), punctuation, an emoji ("🤬" says how the
 * writer feels, as "!" does) or a filler.
 */
function isWord(w: string): boolean {
  return w.charCodeAt(0) !== 95 && LETTER.test(w) && !FILLERS.has(w);
}
const LETTER = /\p{L}/u;

/** Greetings a report may open with ("yeah hi um ...", "hello??"). */
const GREETINGS = new Set('hi hello hey yeah yes ok okay so'.split(' '));

/** A question about an outage is trouble of one's own when it says it happened again. */
const REPEAT = new Set(['again', 'another', 'still']);
/**
 * Nor is it a question about some outage when the writer sizes it up ("complete outage?",
 * "massive outage??"): they are in it. After "a" or "any" it asks again ("is there a major
 * outage?").
 */
const SIZED = new Set('complete total massive huge major entire whole widespread'.split(' '));
const ASKS_BEFORE = new Set(['a', 'an', 'any', 'no']);
function sizedUp(plain: readonly string[], i: number): boolean {
  return i > 0 && SIZED.has(plain[i - 1]) && !(i > 1 && ASKS_BEFORE.has(plain[i - 2]));
}

/** How a text is read beside its words. */
export interface TroubleReading {
  /** Words that are no part of the report, not counted: the place it names ("los angeles"). */
  skip?: ReadonlySet<string>;
  /**
   * Whether a word is a word of its own (the topic-words vocabulary): any other word one edit
   * from a phrase's word is read as that word ("still dwn"). Without it no misspelling is read.
   */
  known?: (w: string) => boolean;
}

export interface ShortTrouble {
  /** The topic of the phrase found, or null when it does not say. */
  topic: Topic | null;
  /** Set when a plea ended the text ("I want a call back"): its words are not the trouble's. */
  plea?: true;
}

/**
 * The trouble phrase of a short text, or null when the text is not short or has none (or says
 * the trouble is over, or only asks about an outage). Takes tokenize()'s words.
 */
export function shortTrouble(
  words: readonly string[],
  reading: TroubleReading = {},
): ShortTrouble | null {
  const { skip, known } = reading;
  let content = 0;
  for (const w of words) {
    // (An opening greeting is left out below, so it is not counted here either.)
    if (isWord(w) && !skip?.has(w) && !(content === 0 && GREETINGS.has(w))) {
      if (++content > SHORT_WORDS + MAX_PLEA_WORDS) return null;
    }
  }
  if (content === 0) return null;
  const plain: string[] = [];
  /** How many plain words came before the first "?", and before the last. */
  let firstQuestion = -1;
  let lastQuestion = -1;
  for (const w of words) {
    if (w === '?') {
      if (firstQuestion < 0) firstQuestion = plain.length;
      lastQuestion = plain.length;
    } else if (isWord(w) && !skip?.has(w)) plain.push(known ? speller().read(w, known) : w);
  }
  // Nor is a greeting at the start ("yeah hi", "hello??"), or a "?" inside it.
  let lead = 0;
  while (lead < plain.length && GREETINGS.has(plain[lead])) lead++;
  if (lead > 0) {
    plain.splice(0, lead);
    if (lastQuestion <= lead) firstQuestion = lastQuestion = -1;
    else {
      firstQuestion = (firstQuestion > lead ? firstQuestion : lastQuestion) - lead;
      lastQuestion -= lead;
    }
  }
  // What the writer asks of the desk at the end ("I want a call back", "please fix this asap")
  // is no part of the report: a polite report with a plea is as short as the report.
  const all = plain.length;
  plain.length = withoutPleas(plain);
  if (plain.length === 0 || plain.length > SHORT_WORDS) return null;
  const plea = plain.length < all;
  // A "?" that ends a plea ("any update?") does not make the report a question.
  const question = firstQuestion >= 0 && firstQuestion <= plain.length;
  let repeat = false;
  // What follows the last "but" is what the writer means ("power's fine but no internet").
  let settled = false;
  let pleased = false;
  for (let i = 0; i < plain.length; i++) {
    const w = plain[i];
    if (w === 'but') settled = pleased = false;
    else if (SETTLED.has(w) && !unsettled(plain, i)) settled = true;
    else if (WORKING.has(w) && AGAIN.has(plain[i + 1]) && !unsettled(plain, i)) settled = true;
    else if (PLEASED.has(w)) pleased = true;
    if (REPEAT.has(w)) repeat = true;
  }
  if (settled || (pleased && !repeat)) return null;
  const namesThing = plain.some((w) => THINGS.has(w));
  let found: Phrase | null = null;
  for (let i = 0; i < plain.length; i++) {
    if (!FIRST.has(plain[i])) continue;
    let key = '';
    for (let n = 1; n <= LONGEST && i + n <= plain.length; n++) {
      key = n === 1 ? plain[i] : `${key} ${plain[i + n - 1]}`;
      const p = PHRASES.get(key);
      if (!p) continue;
      const next = i + n < plain.length ? plain[i + n] : '';
      if (
        NOT_AFTER.has(next) &&
        !(next === 'to' && TO_AFTER.has(key)) &&
        !(next === 'on' && ON_AFTER_OK.has(key)) &&
        !(next === 'about' && WHEN_ABOUT.has(plain[i + n + 1]))
      ) {
        continue;
      }
      if (p.needsThing && !namesThing) continue;
      // "hello?? still happening" goes on; "is the promo still happening?" asks.
      if (p.persists && (pleased || lastQuestion > i)) continue;
      if (
        key === IT_DOWN &&
        ((i > 0 && !IT_DOWN_AFTER.has(plain[i - 1])) || IT_DOWN_NOT_BEFORE.has(next))
      ) {
        continue;
      }
      if (
        p.statementOnly &&
        ((question && !repeat && !sizedUp(plain, i)) || (i > 0 && NOT_BEFORE.has(plain[i - 1])))
      ) {
        continue;
      }
      // The first phrase with a topic wins; a topic-less one only when nothing better is found.
      if (p.topic) return plea ? { topic: p.topic, plea } : { topic: p.topic };
      found ??= p;
    }
  }
  if (!found) return null;
  return plea ? { topic: null, plea } : { topic: null };
}

/** The words of the phrases and of THINGS, for reading misspellings of them (built once). */
let spellerOnce: Speller | undefined;
function speller(): Speller {
  if (!spellerOnce) {
    const words = new Set(THINGS);
    for (const key of PHRASES.keys()) for (const w of key.split(' ')) words.add(w);
    spellerOnce = new Speller(words);
  }
  return spellerOnce;
}

/**
 * Whether a text is too long for the rule, but might not be without the place it names: more
 * words than a short text, yet few enough that a city, its state and an "in" could be the rest
 * (most long messages are not, and are not read for a place twice).
 */
export function longOnlyByPlace(words: readonly string[]): boolean {
  let content = 0;
  for (const w of words)
    if (isWord(w) && ++content > SHORT_WORDS + MAX_PLEA_WORDS + 4) return false;
  return content > SHORT_WORDS;
}

/** Whether a text is a short trouble report (the language detector's English fallback). */
export function isShortTroubleText(text: string): boolean {
  return shortTrouble(tokenize(text).words) !== null;
}
