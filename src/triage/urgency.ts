/**
 * Urgency signals that change how a message must be handled, whatever its topic: a churn threat,
 * a safety risk, a legal or regulator threat, a vulnerable customer, a repeat contact. Rules, not a
 * model: each is a short list of phrasings that an agent can read and extend.
 */
import { anyOf } from './any-of.js';
import type { UrgencyKind } from './types.js';

const RULES: [UrgencyKind, RegExp][] = [
  [
    'churn',
    // Not when negated: "I'm not going to cancel", "never switching to another".
    /\b(?<!\b(?:not|never|won't|don't|wouldn't|isn't) (?:be )?)(?:cancel(?:l?ing)? (?:my|our|the) (?:service|account|contract|plan|subscription|internet|line)|(?:switch|switching|moving|going|port(?:ing)?(?: my number)?) (?:over )?to (?:another|a different|@?\w+)|leav(?:e|ing) (?:you|for)|done with (?:you|this company)|find(?:ing)? (?:a|another) (?:new )?provider|take my business elsewhere|close my account|last straw|(?:will|gonna|going to) cancel|time to switch|never (?:using|buying from) you again)/i,
  ],
  [
    'safety',
    /\b(?:fire|smoke|sparks?|sparking|gas leak|smell(?:s)? (?:of )?(?:gas|burning)|electrocut\w*|exposed wires?|live wires?|wires? down|downed (?:line|wire|pole)|pole (?:fell|down)|injur\w*|emergency|can ?not call 911|911|explod\w*|overheat\w* and (?:burn|melt)|burn(?:ed|t|ing) my|unsafe|dangerous)\b/i,
  ],
  [
    'legal',
    /\b(?:lawyer|attorney|sue|suing|lawsuit|legal action|small claims|court|fcc|ftc|ofcom|ombudsman|bbb|better business bureau|attorney general|consumer protection|regulator|report(?:ing)? you to|class action|trading standards)\b/i,
  ],
  [
    'vulnerable',
    /\b(?:elderly|disabled|disability|wheelchair|blind|deaf|oxygen|life support|medical (?:device|equipment|alert)|dialysis|pacemaker|chemo\w*|cancer|hospice|pregnant|newborn|my (?:grand)?(?:mom|mum|dad|mother|father) is (?:8|9)\d|\d{2,3}[- ]year[- ]old (?:mother|father|mom|dad|grandm\w+|grandf\w+)|(?:vulnerable|carer|caregiver)|depend on (?:my phone|the phone|it) for)\b/i,
  ],
  [
    'repeat',
    /\b(?:(?:called|contacted|messaged|emailed|tweeted|dm'?d|chatted|spoke(?: to| with)?)\s+(?:you\s+)?(?:\w+\s+)?(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|multiple|many|numerous) times|(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+th) time|yet again|again and again|(?:still|again) (?:not|no|waiting|broken|down|nothing)|for the \w+ time|every (?:single )?(?:day|week|time)|keeps? happening|same (?:problem|issue) (?:again|as)|(?:told|promised) (?:me )?(?:it would|this would|it was) (?:be )?fixed)/i,
  ],
];

// Few messages are urgent: one scan for any rule settles most of them (any-of.ts).
const ANY_RULE = anyOf(RULES.map(([, re]) => re));

export function urgencySignals(text: string): UrgencyKind[] {
  const out: UrgencyKind[] = [];
  if (!ANY_RULE.test(text)) return out;
  for (const [kind, re] of RULES) if (re.test(text)) out.push(kind);
  return out;
}
