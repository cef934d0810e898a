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
 * The phrases were written from how people report service trouble, not from any data set; the
 * probe set data/triage/probes/short.txt (test data, written first) checks them.
 */
import { NEGATORS, tokenize } from './text.js';
import type { Topic } from './types.js';

/** At most this many words (placeholders, "?" and "!" not counted) make a text short. */
export const SHORT_WORDS = 8;

/**
 * Logits the rule adds to the complaint model's. Set so that a short text with nothing else for
 * or against it (bias + `len:short` of the shipped model: -3.36) lands at the rule's precision on
 * our own template sentences: of the 37 templates (data/triage/templates) it fires on, 37 are
 * complaints, 38/39 = 0.974 with add-one smoothing (logit 3.64); 3.64 + 3.36 = 6.99.
 * short-trouble.test.ts recomputes both from the templates and the shipped weights.
 */
export const RULE_LOGIT = 6.99;

interface Phrase {
  /** The topic the trouble belongs to, or null when the phrase does not say. */
  topic: Topic | null;
  /** Only a statement counts ("outage in Austin"), not a question ("is there an outage?"). */
  statementOnly: boolean;
  /**
   * The phrase names no service or device ("keeps dropping", "are down", "not working"): it is
   * trouble only in a text that names one ("stocks are down", "keeps dropping hints lol",
   * "not working today, day off" are not).
   */
  needsThing: boolean;
  /**
   * A follow-up saying the trouble goes on ("still the same", "same problem"): a complaint in
   * the thread it answers, so it needs no service named; but a question after it ("is the sale
   * still on?", "still the same price?") or a pleased word ("my love for it is still the same")
   * makes it something else, "still" notwithstanding.
   */
  persists?: true;
}

/** Services, devices and what customers buy: what a phrase like "is down" must be about. */
const THINGS = new Set(
  `service services signal bars reception coverage connection data wifi wi fi lte g internet
  net broadband fiber fibre tv cable phone phones cell cellphone mobile landline line lines dial
  tone call calls text texts sms messages voicemail network system systems server servers modem
  router gateway hotspot box remote app apps website site page email mail account login portal
  bill billing payment autopay screen device sim tablet laptop iphone android pixel galaxy order
  package delivery shipment technician tech appointment installer install streaming channels
  speed speeds outage sos it battery charger cord plug`.split(/\s+/),
);
/** Phrases that say what is wrong without naming a service ("overcharged", "nothing works"). */
const SELF_CONTAINED = new Set(
  `charged twice, double charged, double charge, charged double, billed twice, double billed,
  overcharged, can't log in, can't login, can't sign in,
  on hold for, been on hold, nothing works, nothing loads, nothing is loading, nothing is working,
  down for everyone, out for everyone, neighbors are down, neighbors are out, neighbours are down,
  neighbours are out`
    .split(',')
    .map((p) => plainWords(p).join(' ')),
);

/** A text's words as phrases are matched: placeholders ("__num__") left out. */
function plainWords(text: string): string[] {
  return tokenize(text.trim()).words.filter((w) => w.charCodeAt(0) !== 95);
}

const PHRASES = new Map<string, Phrase>();
/** First words of the phrases: a key is built only from a word that can start one. */
const FIRST = new Set<string>();
function phrases(topic: Topic | null, statementOnly: boolean, list: string): void {
  for (const entry of list.split(',')) {
    // Read as texts are read below: placeholders dropped, so "no 5g" is "no g" as a message's
    // "no __num__ g" becomes.
    const words = plainWords(entry);
    if (words.length === 0) continue;
    const key = words.join(' ');
    const needsThing = !SELF_CONTAINED.has(key) && !words.some((w) => THINGS.has(w));
    PHRASES.set(key, { topic, statementOnly, needsThing });
    FIRST.add(words[0]);
  }
}
phrases(
  'network',
  false,
  `no service, no signal, no bars, zero bars, no reception, no coverage, no connection, no data,
  no wifi, no wi fi, no lte, no 4g, lost service, lost signal, lost connection, lost data, lost wifi,
  dropped calls, dropping calls, calls dropping, calls keep dropping, keeps dropping, keep dropping,
  can't call, can't make calls, can't make a call, can't send texts, can't text, can't send,
  can't receive, texts not going through, calls not going through, not going through, sos only,
  calls fail, calls failing, calls failed, call failed, call fails, texts fail, texts failing,
  texts failed, text failed, show as failed, shows as failed,
  says sos, cutting out, keeps cutting out, slow internet, internet slow, internet is slow,
  internet so slow, internet super slow, wifi slow, wifi so slow, data slow, data so slow,
  speeds are terrible, signal gone, lte gone, data gone, not connecting,
  can't connect, won't connect, will not connect,
  call drops, calls drop, drops calls, dropping my calls, keeps dropping calls,
  cut off, cuts off, cutting off, keeps cutting off, keep cutting off,
  can't finish a call, can't finish a phone call, can't finish a single call,
  can't finish a single phone call, can't complete a call, can't complete a phone call,
  can't complete a single call, can't complete a single phone call, can't complete calls,
  barely loads, barely load, barely works, barely working, barely any signal, barely any service,
  crawling, is crawling, speed test says, signal vanished, signal just vanished, signal disappeared, lost my signal`,
);
phrases(
  'outage',
  false,
  `no internet, no tv, no cable, no phone service, no landline, no dial tone, is down, are down,
  down again, still down, internet down, wifi down, network down, service down, system down,
  tv down, cable down, service out, internet out, cable out, tv out, wifi out, service is out,
  internet is out, wifi is out, cable is out, tv is out, network is out, everything is out,
  internet went out, service went out, wifi went out, cable went out, tv went out,
  signal went out, are out, are both out, both out, are all out, all out, still out, out again,
  still no service, still no internet, nothing works,
  nothing loads, nothing is loading, nothing is working, lost internet, lost all service,
  no sync, down for everyone, out for everyone, neighbors are down, neighbors are out,
  neighbours are down, neighbours are out, down too, out too`,
);
phrases('outage', true, 'outage, outages, another outage, outage again');
phrases(
  'device',
  false,
  `won't turn on, will not turn on, not turning on, won't charge, not charging, won't boot,
  keeps restarting, keeps rebooting, keep restarting, went black, black screen, not detected,
  screen frozen, keeps freezing, won't power on, sparks, sparking, smoking, smoke coming,
  overheating, melting, melted, battery swelling, battery swollen, swollen battery,
  battery is swelling, battery bulging, burning smell, smells like burning, caught fire`,
);
phrases(
  null,
  false,
  `not working, doesn't work, does not work, stopped working, isn't working, quit working,
  not loading, won't load, never arrived, never showed, charged twice, double charged,
  double charge, charged double, billed twice, double billed, overcharged, locked out of my account, can't log in, can't login, can't sign in,
  on hold for, been on hold`,
);

/**
 * Follow-ups that say a trouble goes on. Written from how customers answer "is it working now?"
 * in a thread, not from any data set.
 */
for (const entry of `still the same, still the same problem, still the same issue, nope same thing,
  same problem, same problem still, same issue, same issue still, same error, still happening,
  still nothing, still broken, still not working, still not fixed, still not resolved,
  still waiting on a fix, still waiting for a fix, still a problem, still an issue,
  still having issues, still having problems, still having the same problem,
  still having the same issue`.split(',')) {
  const words = plainWords(entry);
  PHRASES.set(words.join(' '), {
    topic: null,
    statementOnly: false,
    needsThing: false,
    persists: true,
  });
  FIRST.add(words[0]);
}

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
const IT_DOWN = 'it down';
const IT_DOWN_AFTER = new Set(
  'and but now so because cause cuz coz ugh yes yep again still'.split(' '),
);
const IT_DOWN_NOT_BEFORE = new Set('the by a stairs there here low pat'.split(' '));
phrases('outage', false, IT_DOWN);

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

/** The number of words left when the pleas at the end (at most MAX_PLEA_WORDS) are taken off. */
function withoutPleas(plain: readonly string[]): number {
  let end = plain.length;
  const floor = plain.length - MAX_PLEA_WORDS;
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
export function shortTrouble(words: readonly string[]): ShortTrouble | null {
  let content = 0;
  for (const w of words) {
    // (An opening greeting is left out below, so it is not counted here either.)
    if (isWord(w) && !(content === 0 && GREETINGS.has(w))) {
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
    } else if (isWord(w)) plain.push(w);
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
        !(next === 'on' && ON_AFTER_OK.has(key))
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
      if (p.statementOnly && ((question && !repeat) || (i > 0 && NOT_BEFORE.has(plain[i - 1])))) {
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

/** Whether a text is a short trouble report (the language detector's English fallback). */
export function isShortTroubleText(text: string): boolean {
  return shortTrouble(tokenize(text).words) !== null;
}
