/**
 * Urgency signals that change how a message must be handled, whatever its topic: a churn threat,
 * a safety risk, a legal or regulator threat, a vulnerable customer, a repeat contact. Rules, not a
 * model: each is a short list of phrasings that an agent can read and extend.
 */
import { anyOf } from './any-of.js';
import type { UrgencyKind } from './types.js';

// Who a customer leaves for: a provider in general or a carrier by name (and, after "switch",
// "move", "port" or "leave for", a brand's @handle: "going to @Chipotle" is a visit).
// "switching to wifi calling", "going to the store" and "moving to a new apartment" name none.
// Names that are everyday words ("three", "sky", "visible", "boost") are left out.
const CARRIER =
  '(?:(?:another|a different|a new|a better|a cheaper|other) (?:carrier|provider|company|network|isp|operator|service provider)|verizon|at&t|at&amp;t|att|t-?mobile|sprint|comcast|xfinity|spectrum|charter|cox|frontier|centurylink|optimum|mint mobile|cricket wireless|metro ?pcs|us cellular|google fi|starlink|vodafone|o2|ee|bt|virgin media|tesco mobile|giffgaff|rogers|bell|telus)';

// The signals are features of the learned complaint and topic models too (features.ts): a change
// here changes what they read, so retrain (`npm run train`; the reproduce test fails until then).
const RULES: [UrgencyKind, RegExp][] = [
  [
    'churn',
    // Not when negated: "I'm not going to cancel", "never switching to another".
    new RegExp(
      `\\b(?<!\\b(?:not|never|won't|don't|wouldn't|isn't) (?:be )?)(?:cancel(?:l?ing)? (?:my|our|the) (?:service|account|contract|plan|subscription|internet|line)|(?:switch(?:ing)?|mov(?:e|ing)|go(?:ing)?|port(?:ing)?(?: my number)?) (?:over )?to ${CARRIER}\\b|(?:switch(?:ing)?|mov(?:e|ing)|port(?:ing)?(?: my number)?) (?:over )?to @\\w|port(?:ing)? (?:my|our) numbers? (?:out|away)|leav(?:e|ing) (?:you|this (?:company|carrier|provider|network)|for (?:${CARRIER}\\b|@\\w))|(?:(?:want|wanna|going|gonna|ready) (?:to )?(?:leave|switch)|about to switch)[.!]*$|done with (?:you|this company)|stop being (?:a|your) customer|find(?:ing)? (?:a|another) (?:new )?(?:provider|carrier|company)|what other (?:companies|carriers|providers) (?:offer|have)|take my business elsewhere|close my account|last straw|(?:will|gonna|going to) cancel|(?:i'?m|i am|we'?re|we are) (?:now |just |officially |seriously )?cancell?ing(?! (?:my|the|our|an?|this|that) (?:order|appointment|reservation|booking|flight|trip|delivery|meeting|visit)\\b)|, cancell?ing[.!]*$|time to switch|never (?:using|buying from) you again)`,
      'i',
    ),
  ],
  [
    'safety',
    // "fire" as a blaze, not slang ("this deal is fire"); 911 the call, not digits of a number;
    // "dangerous" not of prices ("your prices are dangerous lol"). A swelling or leaking battery
    // and a melting or smoking device are fire risks whatever words come with them.
    /\b(?:(?:a|the|on|caught|catching|catch|house|building|apartment|electrical) fire|fire (?:hazard|department|alarm|broke out|started)|smoke|sparks?|sparking|gas leak|gas smell|smell(?:s|ing)? (?:of |like )?(?:gas|burning)|electrocut\w*|exposed wires?|live wires?|wires? down|downed (?:line|wire|pole)|pole (?:fell|down)|injur\w*|emergency|can ?not call 911|(?<![\d-])911(?![\d-])|explod\w*|overheat\w* and (?:burn|melt)|burn(?:ed|t|ing) my|(?:battery|batteries) (?:is |are |has |have |keeps? )?(?:swell\w*|swollen|bulg\w*|puff\w* up|leak\w*|melt\w*)|(?:swollen|swelling|bulging) batter(?:y|ies)|(?:phone|battery|charger|cord|plug|router|modem|box|device) (?:is |keeps |kept |was )?(?:melt(?:ing|ed)|smoking)|unsafe|(?<!\b(?:prices?|bills?|rates?|deals?|offers?) (?:are|is) (?:so |too )?)dangerous)\b/i,
  ],
  [
    'legal',
    // "sue" as a verb, not the name ("my sister Sue"); a court one is taken to, not the food
    // court; a lawyer of the customer's, not one on TV.
    /\b(?:(?:my|our|a|an|get|hire|call|calling|contact\w*|consult\w*|speak(?:ing)? to|talk(?:ing)? to) (?:\w+ )?(?:lawyer|attorney)s?|lawyer(?:s|ed)? up|(?:will|gonna|to|i'll|ill|i'd|we'll|would|could|might|should|and|or) sue|sue (?:you|u|them|your|the company|for|over)|suing|lawsuit|legal action|small claims|(?:to|in|into) court|court (?:cases?|orders?|dates?|action)|fcc|ftc|ofcom|ombudsman|bbb|better business bureau|attorney general|consumer protection|regulator|report(?:ing)? you to|class action|trading standards)\b/i,
  ],
  [
    'vulnerable',
    // Not the idioms "falling on deaf ears", "a blind eye".
    /\b(?:elderly|disabled|disability|wheelchair|blind(?! eye)|deaf(?! ears)|oxygen|life support|medical (?:device|equipment|alert)|dialysis|pacemaker|chemo\w*|cancer|hospice|pregnant|newborn|lives? alone|living alone|housebound|bedridden|my (?:grand)?(?:mom|mum|dad|mother|father) is (?:8|9)\d|\d{2,3}[- ]year[- ]old (?:mother|father|mom|dad|grandm\w+|grandf\w+)|(?:vulnerable|carer|caregiver)|depend on (?:my phone|the phone|it) for)\b/i,
  ],
  [
    'repeat',
    // "still not here" is a wait for a delivery, not a repeat; "still not fixed", "still no
    // refund" and "second outage" are. A contact made before ("I already called twice about my
    // bill", "emailed you again", "how many times do I have to…") is one whatever its count says;
    // a contact still to come ("I'll call again") is not.
    /\b(?:(?:called|rang|contacted|messaged|emailed|tweeted|dm'?d|chatted|wrote to|written to|reached out to|spoke(?: to| with)?)\s+(?:[\w']+\s+){0,2}?(?:twice|thrice|again|repeatedly|over and over)\b|already (?:called|rang|contacted|messaged|emailed|tweeted|dm'?d|chatted|spoke|reported|complained|reached out)|how many (?:more )?times (?:do|must|should|have|will) (?:i|we)|(?:second|third|fourth|fifth|2nd|3rd|4th|5th) (?:message|email|tweet|dm|contact|attempt|request|ticket|complaint|visit)|(?:called|contacted|messaged|emailed|tweeted|dm'?d|chatted|spoke(?: to| with)?)\s+(?:you\s+)?(?:\w+\s+)?(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|multiple|many|numerous) times|(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+th) (?:time|outage|drop|failure|disconnect\w*|call|bill|issue|problem)|yet again|again and again|still not(?! (?:here|arrived|come|delivered|shipped|clear|sure|available))|(?:still|again) (?:no|waiting|broken|down|nothing)\b|again not\b|for the \w+ time|every (?:single )?(?:day|week|time)|keeps? happening|same (?:problem|issue) (?:again|as)|(?:told|promised) (?:me )?(?:it would|this would|it was) (?:be )?fixed)/i,
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
