/**
 * The phrases of trouble the short-text rule (short-trouble.ts) looks for, and what a phrase
 * naming no service needs beside it. Written from how people report service trouble, not from
 * any data set; the probe sets of data/triage/probes check them.
 */
import { tokenize } from './text.js';
import type { Topic } from './types.js';

export interface Phrase {
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
export const THINGS = new Set(
  `service services signal bars reception coverage connection data wifi wi fi lte g internet
  net broadband fiber fibre tv cable phone phones cell cellphone mobile landline line lines dial
  tone call calls text texts sms messages voicemail network system systems server servers modem
  router gateway hotspot box remote app apps website site page email mail account login portal
  bill billing payment autopay screen device sim tablet laptop iphone android pixel galaxy order
  package delivery shipment technician tech appointment installer install streaming channels
  speed speeds outage sos it battery charger cord plug orders packages deliveries shipments
  preorder tracking clock alarm greeting card statement update updates firmware software`.split(
    /\s+/,
  ),
);
/**
 * A charge taken twice told without "charged twice" ("two identical charges", "a duplicate
 * payment"). The forms with "of" are phrases of their own because "of" after a phrase otherwise
 * makes it something else (`NOT_AFTER` in short-trouble.ts); here it gives the amount.
 */
const CHARGED_TWICE = `duplicate charge, duplicate charges, duplicate payment, duplicate payments,
  identical charges, two identical charges, identical charges of, two identical charges of,
  same charge twice, debited twice`;
/** Phrases that say what is wrong without naming a service ("overcharged", "nothing works"). */
export const SELF_CONTAINED = new Set(
  `charged twice, double charged, double charge, charged double, billed twice, double billed,
  overcharged, can't log in, can't login, can't sign in,
  on hold for, been on hold, nothing works, nothing loads, nothing is loading, nothing is working,
  down for everyone, out for everyone, neighbors are down, neighbors are out, neighbours are down,
  neighbours are out, ${CHARGED_TWICE}`
    .split(',')
    .map((p) => plainWords(p).join(' ')),
);

/** A text's words as phrases are matched: placeholders ("__num__") left out. */
export function plainWords(text: string): string[] {
  return tokenize(text.trim()).words.filter((w) => w.charCodeAt(0) !== 95);
}

export const PHRASES = new Map<string, Phrase>();
/** First words of the phrases: a key is built only from a word that can start one. */
export const FIRST = new Set<string>();
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
  'billing',
  false,
  `normally it is, usually it is, it is normally, it is usually, more than doubled, doubled,
  higher than usual, higher than normal, more than usual, way higher, bill went up`,
);
// A charge taken twice told by what the money did ("autopay ran twice", "came out twice"): trouble
// only about a bill, a payment or a card ("I ran twice today" is not).
phrases(
  'billing',
  false,
  `ran twice, went through twice, came out twice, taken twice, took it twice, processed twice,
  ${CHARGED_TWICE}`,
);
// A phone an update broke, told by what it does since.
phrases(
  'device',
  false,
  `boot loop, boot looping, stuck in a boot loop, bootloop, bricked, killed my phone,
  killed my tablet, stuck on the logo`,
);
phrases(
  'delivery',
  false,
  `not moved, says exception, stuck in transit, not delivered, never delivered, still not delivered`,
);
phrases(
  null,
  false,
  `is wrong, are wrong, all wrong, by itself, by themselves, on its own, suddenly, gibberish,
  garbled, is blank, went blank, an hour off, hour off, unreadable, just squares, as boxes,
  squares and symbols, boxes and question marks,
  not working, doesn't work, does not work, stopped working, isn't working, quit working,
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
  follows(null, entry);
}
// Those that say what goes on: "still down" answers "is it back?" without naming the service.
for (const entry of 'still down, still out, still dead, still offline'.split(',')) {
  follows('outage', entry);
}
function follows(topic: Topic | null, entry: string): void {
  const words = plainWords(entry);
  PHRASES.set(words.join(' '), { topic, statementOnly: false, needsThing: false, persists: true });
  FIRST.add(words[0]);
}

/**
 * "it's down" (tokenized "it down"): an outage only as a statement of its own, as
 * short-trouble.ts checks where it stands.
 */
export const IT_DOWN = 'it down';
phrases('outage', false, IT_DOWN);
