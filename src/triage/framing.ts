/**
 * The part of a message that says something: the words around it that every channel or every
 * polite writer adds are left out before the models read it. A letter's salutation ("Dear Sir or
 * Madam,") and sign-off ("Thank you,\nVince", "Sent from my iPhone"), a transcript's marker and
 * introduction ("[Voicemail transcript] Hi, this is Sarah."), and a closing courtesy ("Thanks in
 * advance.", "I would appreciate a reply.") say nothing about whether the writer has a complaint
 * or what it is about, but the models read them as evidence: "thanks" and "appreciate" are the
 * words of praise and of polite questions (so "texts show as failed in New York, NY for 2 hours.
 * Thanks in advance." scored 0.29 against 0.81 without), and "Sent from my iPhone" put an outage
 * under device. The courtesy is still in the message for agents, sentiment as reported and every
 * other triage field.
 *
 * Narrow on purpose: only whole lines or whole sentences at the start or the end, and only what
 * is courtesy in any message ("thanks for the quick fix" is content and stays; so does "thanks
 * for nothing"). A message that is nothing but courtesy ("Thanks!") is read as it is.
 */

import { newPartOf } from '../channels/email/email.quote.js';

/** Transcription and channel markers the voice and in-app channels put before the words. */
const MARKER = /^\s*\[[^\]\n]{1,40}\]\s*/;
/**
 * A call summary's "Caller Ana Lopez said:" and a caller's "Hi, this is Ana Lopez." (or "hi this
 * is ana calling about my account,").
 */
const CALLER =
  /^(?:caller\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2}\s+(?:said|says|reported)\s*:\s*)/i;
const INTRO = new RegExp(
  '^(?:[Hh]i|[Hh]ello|[Hh]ey|[Gg]ood (?:morning|afternoon|evening))[,!]?\\s+(?:this is|my name is)\\s+' +
    // A capitalised name ("This is Ridiculous." is none), or any name the caller says is calling.
    "(?:[A-Z][\\w'-]*(?:\\s+[A-Z][\\w'-]*)?|[\\w'-]+(?=\\s+calling\\b))" +
    '(?:\\s+calling(?:\\s+(?:about|regarding)\\s+(?:my|our|the)\\s+(?:account|service|bill|phone|line|internet))?)?' +
    '\\s*[.,!]\\s*',
);

/**
 * A call transcript's speaker labels ("Caller: no service since noon. Agent: I'm sorry to hear
 * that, let me look into it."): the desk's side is the desk's words, not the customer's, and its
 * apology read as the customer's own took a dropped-calls report to 0.21.
 */
const TURN =
  /(?:^|(?<=[.!?\n]\s*))(caller|customer|agent|rep|representative|advisor|operator)\s*:\s*/gi;
const CUSTOMER_SIDE = new Set(['caller', 'customer']);

/** The customer's turns of a transcript, without their labels; the text itself when it is none. */
function customerTurns(text: string): string {
  const turns = [...text.matchAll(TURN)];
  if (turns.length === 0 || turns[0].index !== 0) return text;
  const side = (m: RegExpMatchArray) => CUSTOMER_SIDE.has(m[1].toLowerCase());
  if (!side(turns[0])) return text;
  const said: string[] = [];
  turns.forEach((m, k) => {
    if (!side(m)) return;
    const start = (m.index ?? 0) + m[0].length;
    said.push(text.slice(start, k + 1 < turns.length ? turns[k + 1].index : text.length).trim());
  });
  return said.join(' ');
}

/** A salutation line of a letter: "Dear Kestrel Support,", "Hello team,", "To whom it may concern,". */
const SALUTATION =
  /^(?:(?:dear|hi|hello|hey|greetings|good (?:morning|afternoon|evening))\b[^.!?\n]{0,40}|to whom it may concern)[,:!.]?$/i;
/** A sign-off line: "Regards,", "Thank you,", "Best,", "-". */
const SIGN_OFF =
  /^(?:(?:kind |best |warm |many )?(?:regards|thanks|wishes)|thank you|thanks again|thank you again|best|cheers|sincerely|yours(?: truly| sincerely| faithfully)?|respectfully|thx|ty|take care|-+|—|–)[,.!]?$/i;
/** A mail client's signature: "Sent from my iPhone", "Get Outlook for Android". */
const SENT_FROM = /^(?:sent from my\b|sent via\b|get outlook for\b)[^\n]{0,40}$/i;
/** A signature's account line: "Acct #912244216", "Account no. 5304 6048". */
const ACCOUNT_LINE = /^(?:acct|account)(?: number| no\.?)? ?#? ?:? ?[0-9][0-9 -]{3,30}$/i;
/** A name under a sign-off: one to three words, no sentence punctuation. */
const NAME = /^[\p{Lu}][\p{L}'.-]*(?:\s+[\p{Lu}][\p{L}'.-]*){0,2}$/u;

/**
 * A closing courtesy sentence: thanks (for help to come), a wish for a reply, a goodbye, the
 * caller's account number. Matched against the last sentence only, whole.
 */
const COURTESY = new RegExp(
  '^(?:' +
    [
      // Thanks for help to come ("Thanks in advance.", "Thanks, bye."). Not a bare "Thanks!":
      // after a question it marks a polite request (in complaints-acl2019, 38 of the 59 tweets
      // that end so are no complaint), and taking it off made 6 of them complaints.
      '(?:many |ok |okay )?(?:thanks|thank you|thx|ty)(?: so much| very much)? (?:in advance|for (?:your|any) (?:help|time|assistance|patience))(?:[,.!]* ?(?:bye|goodbye|bye bye))?',
      '(?:many |ok |okay )?(?:thanks|thank you|thx|ty)[,.!]* ?(?:bye|goodbye|bye bye)|tia',
      // "I would appreciate a reply as soon as possible.", "Any help would be appreciated."
      "(?:i would|i'd|would|i will|i'll|i|we would|we'd)? ?(?:really |greatly )?appreciate (?:a|an|any|your|some) (?:quick |prompt |fast |timely )?(?:reply|response|answer|help|call|call back|callback|update|assistance)(?: as soon as possible| asap| soon| today)?",
      '(?:any|your) (?:help|assistance|advice) (?:would be|is|will be) (?:much |greatly |really )?appreciated',
      '(?:please )?let me know (?:what you need from me|if you need anything else|if you need more information|if you need more details)',
      '(?:you can reach me at this number|call me back at this number|bye|goodbye)',
      // A caller's identification: "My account number is 5 3 0 4 6 0 4 8."
      '(?:my )?(?:account|acct) (?:number|no|#)(?: is|:)? ?[0-9][0-9 -]{3,30}',
    ].join('|') +
    ')[.!]*$',
  'i',
);

/** Whether the text can hold any framing at all (most tweets cannot): a cheap first look. */
function mayHaveFraming(text: string): boolean {
  return (
    text.includes('\n') ||
    text.charCodeAt(text.search(/\S/)) === 91 /* [ */ ||
    /\b(?:thank|thx|ty|tia|appreciat|bye|let me know|reach me|this is|caller|customer)/i.test(text)
  );
}

/** The message without its framing (above); the text itself when nothing would be left. */
export function messageBody(text: string): string {
  if (!mayHaveFraming(text)) return text;
  let body = text.replace(/\r\n?/g, '\n');
  // An introduction follows a greeting ("Hi, this is Sarah."): "This is Ridiculous." is no name.
  body = customerTurns(body.replace(MARKER, ''));
  body = body.replace(CALLER, '').replace(INTRO, '');
  // A reply's quotation of the message it answers (the e-mail channel's own rule, for e-mails
  // that reached the desk through the inbound API or an import with the quotation still in):
  // the desk's words quoted back took a reply saying the service was down for everyone to 0.02.
  // Only when it cuts something: unframed text comes back as it came, spacing and all.
  const newPart = newPartOf(body);
  if (newPart.replace(/\s+/g, '') !== body.replace(/\s+/g, '')) body = newPart;
  body = withoutLetterFrame(body);
  body = withoutCourtesy(body);
  return /[\p{L}\p{N}]/u.test(body) ? body.trim() : text;
}

/** A salutation line at the top, sign-offs, names and mail signatures at the bottom. */
function withoutLetterFrame(text: string): string {
  if (!text.includes('\n')) return text;
  const lines = text.split('\n').map((l) => l.trim());
  while (lines.length > 0 && lines[0] === '') lines.shift();
  let framed = false;
  if (lines.length > 1 && SALUTATION.test(lines[0])) {
    lines.shift();
    framed = true;
  }
  for (;;) {
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length < 2) break;
    const last = lines[lines.length - 1];
    if (SENT_FROM.test(last) || SIGN_OFF.test(last)) {
      lines.pop();
      framed = true;
      continue;
    }
    // A signature's account number, with the name above it ("Ivy Fischer\nAcct #912244216"):
    // a name over an account line is the writer's, as one under a sign-off is.
    const above = lines[lines.length - 2];
    if (ACCOUNT_LINE.test(last)) {
      lines.splice(NAME.test(above) ? lines.length - 2 : lines.length - 1);
      framed = true;
      continue;
    }
    // A name is only a name under a sign-off or signature ("Thanks,\nAna"), never a line alone.
    if (NAME.test(last) && (SIGN_OFF.test(above) || SENT_FROM.test(above))) {
      lines.splice(lines.length - 2, 2);
      framed = true;
      continue;
    }
    break;
  }
  // Unframed text is returned as it came, its spacing too.
  return framed ? lines.join('\n') : text;
}

/** Starts only at a sentence's end or a line break, so linear in the text's length. */
const LAST_SENTENCE = /(?:^|[.!?]\s+|\n\s*)([^.!?\n]+(?:[.!?]+)?\s*)$/;

/** Closing courtesy sentences at the end ("... Thanks in advance. Thanks, bye."). */
function withoutCourtesy(text: string): string {
  let body = text.trimEnd();
  for (;;) {
    // The last sentence: after the last ".", "!", "?" or line break that ends one before it.
    const m = LAST_SENTENCE.exec(body);
    if (!m) return body;
    // An emoji or a hashtag before it ("... PM. 🙄 My account number is ...") stays.
    const lead = /^[^\p{L}\p{N}]*/u.exec(m[1])?.[0] ?? '';
    const last = m[1].slice(lead.length).trim().replace(/\s+/g, ' ');
    if (!COURTESY.test(last)) return body;
    const rest = body.slice(0, body.length - m[1].length + lead.length).trimEnd();
    if (!/[\p{L}\p{N}]/u.test(rest)) return body;
    body = rest;
  }
}
