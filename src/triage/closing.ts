import {
  ACK_EMOJI,
  ACK_WORDS,
  FILLER_INTL,
  MORE_INTL,
  THANKS_INTL,
  WORKS_INTL,
} from './closing-words.js';
import { foldApostrophes } from './text.js';
import type { TriageResult } from './types.js';

/**
 * A customer's closing reply: thanks, or word that it works now, and nothing else to act on
 * ("Working again. Thanks!", "great, thank you so much 🙏", "Hi, all sorted now. Best, Ana").
 * The thread stage lets such a reply join a case that waits on the customer or was resolved
 * without reopening it: reopening every "thanks" puts finished work back in an agent's queue
 * (a long-standing complaint about help desks that reopen solved tickets on any reply).
 *
 * Deliberately narrow: anything left over after the thanks, the "works" phrases, greetings,
 * sign-offs and a name is something to read, so the case reopens as before. A question, a "but",
 * a trouble word or a complaint keeps today's behaviour. English, and the thanks and "works
 * again" of Spanish, German, French, Portuguese and Italian (`closing-words.ts`); a bare
 * acknowledgement ("ok", "k", "👍", "🙏") closes too: a customer told of a fix who answers "ok"
 * has nothing more to say, and reopening their case took it out of the quiet period.
 */

/** Thanks and approval, whole phrases. */
const THANKS =
  /\b(?:thanks?|thank (?:you|u)|thx|thnx|tnx|ty|tysm|cheers|appreciated?|appreciate (?:it|that|this|you|the help|your help|all your help)|much appreciated|many thanks|great|awesome|perfect|brilliant|excellent|amazing|lovely|cool|nice|sweet|super|wonderful|fantastic|legend|legends|you rock|you guys rock|good job|well done|nice one)\b/g;

/** It works now, whole phrases. */
const WORKS =
  /\b(?:(?:it'?s|it is|its|everything(?:'s| is)?|all|service(?:'s| is)?|internet(?:'s| is)?|signal(?:'s| is)?|phone(?:'s| is)?|wi-?fi(?:'s| is)?)\s+)?(?:working|works|work|fixed|sorted|resolved|solved|back|up|online|fine|ok|okay|good|connected|restored|running)(?:\s+(?:again|now|fine|perfectly|properly|well|great|normally|(?:back )?to normal|as normal))*\b|\bthat (?:worked|did it|did the trick|fixed it|helped|sorted it)\b|\bback (?:on|up|online|to normal)\b|\ball good\b|\bno (?:more )?(?:issues?|problems?)(?: now)?\b/g;

/** Words of `WORKS` that say it works only with more ("back online", "it's fine"). */
const WEAK = new Set(['work', 'back', 'up', 'online', 'fine', 'ok', 'okay', 'good', 'running']);

/** Greetings, sign-offs and little words that carry nothing to act on. */
const FILLER = new Set(
  (
    'hi hello hey there dear team folks guys all everyone ok okay k yes yeah yep yup oh wow ' +
    'so very really much lot a lots the for your you u ur it that this now again and just ' +
    'best regards kind warm sincerely bye goodbye cya later have good nice day night weekend ' +
    'quick fast fix help support response reply sorting out me my we our indeed ' +
    'too as well finally at last everything is was of to with ' +
    FILLER_INTL
  ).split(' '),
);

/** Words that mean there is more to it (kept out of `FILLER` on purpose, and never a name). */
const MORE =
  /\b(?:not|no|never|still|but|however|though|although|yet|except|only|nothing|down|broken|issue|issues|problem|problems|can|could|would|will|please|pls|why|how|when|what|where|refund|bill|charge|cancel)\b|n't\b|\?/;

/** Transcription and channel markers the voice and in-app channels put before the words. */
const MARKER = /^\s*\[[^\]]{1,40}\]\s*/;
/** "this is Ana Lopez" / "it's Ana" at the start of a call or a note. */
const INTRO = /\b(?:this is|it'?s|my name is)\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?/;

/** At most this many words (a name in a sign-off) may be left over. */
const MAX_LEFT = 2;

/** Whether `text` is a closing reply (see above). `triage`, when known, must agree. */
export function isClosingReply(text: string, triage?: TriageResult | null): boolean {
  if (text.length > 400) return false;
  if (triage && (triage.complaint || triage.sentiment < 0 || triage.spam)) return false;
  const lower = foldApostrophes(
    text
      .replace(MARKER, ' ')
      .replace(INTRO, ' ')
      .replace(/https?:\/\/\S+/gi, ' ')
      .replace(/@\w+/g, ' '),
  ).toLowerCase();
  const works = lower.replace(WORKS, ' ').replace(WORKS_INTL, ' ');
  if (MORE.test(works) || MORE_INTL.test(works)) return false;
  const words = (x: string) => x.split(/[^\p{L}\p{N}']+/u).filter((w) => w.length > 0);
  // A bare acknowledgement ("ok", "okay 👍"): nothing else in it at all.
  const bare = words(lower);
  let said = ACK_EMOJI.test(lower) || (bare.length > 0 && bare.every((w) => ACK_WORDS.has(w)));
  const thanks = () => {
    said = true;
    return ' ';
  };
  const rest = lower
    .replace(THANKS, thanks)
    .replace(THANKS_INTL, thanks)
    .replace(WORKS, (m) => {
      // "back" alone says nothing about the service ("I'm back").
      if (!WEAK.has(m.trim())) said = true;
      return ' ';
    })
    .replace(WORKS_INTL, thanks);
  if (!said) return false;
  const left = words(rest).filter((w) => !FILLER.has(w) && !/^\p{N}+$/u.test(w));
  return left.length <= MAX_LEFT;
}
