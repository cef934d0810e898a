/**
 * What simulated customers write, by template family. Written by us for Throughline (no text from
 * any corpus). Syntax: `[a|b|c]` picks one alternative, `{slot}` is filled by the renderer
 * (see render.ts). `{where}` is the optional area mention (empty when the customer does not say
 * where they are), so every family can produce texts with and without a place.
 */
import type { SimTopic } from './sim.types.js';
import { UNNAMED_FAMILIES } from './texts.unnamed.js';

export interface TextFamily {
  topic: SimTopic;
  complaint: boolean;
  texts: string[];
}

const NAMED_FAMILIES = {
  outage: {
    topic: 'outage',
    complaint: true,
    texts: [
      '{hi}[is|is there] [an outage|a service outage|something down]{where}? [My|Our] {svc} [is|has been] [completely |totally |]dead {since}.{ugh}',
      '{hi}no {svc} at all{where} {since}. [Nothing works.|Zero bars, nothing loads.|Lights on the modem are blinking red.]{ugh}',
      '[Whole street|Whole block|Entire building|Everyone on my street]{where} has no {svc} {since}. What is going on?{ugh}',
      '{hi}[my|the] {svc} [went out|dropped|just died] [about an hour ago|around {clock}|out of nowhere]{where}. [Is this an outage?|Are you aware?|Any ETA?]{ugh}',
      '[Down again|Out again|Offline again]{where}. {since} [no|zero] {svc}. [I work from home!|I have a call in 20 minutes.|Kids cannot do homework.]{ugh}',
      '{hi}[service|signal|connection] [is|has been] [gone|out|down]{where} {since}. [Restarted everything twice.|Already rebooted the modem.|Tried airplane mode, nothing.]{ugh}',
      "[Can not|Cannot|Can't] [make calls|get online|send texts|load anything]{where} {since}. [Is it just me?|Is it an outage?|Please tell me you know about this.]{ugh}",
      '{hi}outage map says everything is fine but [my|our] {svc}{where} [is|has been] down {since}.{ugh}',
      '[No service|No signal|SOS only on my phone]{where} {since}. [My neighbor has the same problem.|Both our phones.|Same for my wife and my son.]{ugh}',
      "{hi}[we|I] [lost|have lost] {svc}{where} [at|around] {clock} and it [still has not|hasn't] come back.{ugh}",
    ],
  },
  network: {
    topic: 'network',
    complaint: true,
    texts: [
      '{hi}my {svc} [has been|is] [crawling|painfully slow|unusable] {since}{where}. [Speed test shows {mbps} Mbps.|Getting {mbps} Mbps on a {plan}.]{ugh}',
      "[Calls keep dropping|Calls drop every few minutes|Every call drops after a minute]{where}. [This started|It's been like this] {since}.{ugh}",
      '{hi}why is my signal [one bar|so weak|terrible] [at home|inside my apartment|in my own kitchen]{where}? {ugh}',
      '[Data|LTE|5G] [keeps cutting out|connects and disconnects|shows full bars but nothing loads]{where} {since}.{ugh}',
      '{hi}[wifi|internet] drops [every evening|every night around 8|several times a day]{where}. [Paying for {plan} and getting this.|I have replaced my own router already.]{ugh}',
      '[Streaming buffers|Video calls freeze|Games lag] [constantly|all the time|every evening] {since}{where}.{ugh}',
      '{hi}texts [arrive hours late|are not going through|show as failed]{where} {since}.{ugh}',
      "[Dead zone|No coverage|Zero coverage] [on my commute|around my office|at my kids' school]{where}. [Any plans to fix it?|Is a tower coming?|When will this improve?]{ugh}",
    ],
  },
  billing: {
    topic: 'billing',
    complaint: true,
    texts: [
      '{hi}I was charged [twice|two times|double] this month, {amt} each. [Please refund the extra.|Who do I talk to?|Fix it please.]{ugh}',
      "[My|This month's] bill went up by {amt} [with no warning|and nobody told me why|for no reason]. {ugh}",
      '{hi}you [charged|billed] me a {amt} [late fee|activation fee|equipment fee] I [never agreed to|was told would be waived].{ugh}',
      '[Still|Still waiting for|Never got] the {amt} credit [promised|I was promised] on the phone [last month|{days} ago].{ugh}',
      '{hi}autopay [took|pulled] {amt} [twice|on the wrong date|after I turned it off].{ugh}',
      '[Why|How] am I [paying for|being billed for] [a line I cancelled|equipment I returned|a plan I never signed up for]?{ugh}',
      '{hi}promo price [disappeared|ended early|was not applied] and now I [pay|owe] {amt} more.{ugh}',
      '[Got|Received] a [collections letter|past-due notice] for {amt} [but I paid|though my account is current|on an account I closed].{ugh}',
    ],
  },
  accountIssue: {
    topic: 'account',
    complaint: true,
    texts: [
      '{hi}I [have been trying|tried] to [change my plan|remove a line|update my address] for {days} and [the app errors out|nobody can do it|I keep getting transferred].{ugh}',
      "[Locked out of|Cannot log into|Can't get into] my account [since the update|{since}|after the password reset].{ugh}",
      '{hi}[someone|a stranger] [added a line|changed my plan|ordered a phone] on my account without my permission!{ugh}',
      '[My|The] [port-in|number transfer] [has been stuck|is pending|failed] for {days}.{ugh}',
      "{hi}the [verification code|PIN reset|2FA text] never [arrives|comes through], so I [can't|cannot] [pay|log in|do anything].{ugh}",
    ],
  },
  accountQuestion: {
    topic: 'account',
    complaint: false,
    texts: [
      '{hi}how do I [add a line|switch to the {plan}|change the name on my account|set up autopay]?',
      '{hi}[can|could] you [tell me|check] when my [contract ends|promo expires|next bill is due]?',
      '[Quick question:|Question:|Hey,] [is there|do you have] a [student discount|military discount|senior plan]?',
      "{hi}[moving|I'm moving] to {city} [next month|in {days}]. How do I [transfer|move] my service?",
      '{hi}what is the [PIN|account number] I need to [port my number|transfer my line] out?',
    ],
  },
  device: {
    topic: 'device',
    complaint: true,
    texts: [
      "{hi}[my|the] [new|replacement|refurbished] {device} [keeps restarting|won't charge|overheats|shows no SIM] {since}.{ugh}",
      '[The|My] [router|modem|gateway] you [sent|installed] [keeps rebooting|drops wifi every hour|has a blinking orange light].{ugh}',
      "{hi}after the [update|latest update|software update] my {device} [can't connect|lost signal|won't make calls].{ugh}",
      '[Bought|Got] a {device} [{days} ago|last week] and [the screen|the battery|the speaker] is already [dead|broken|failing].{ugh}',
      '{hi}[eSIM|SIM] activation [failed|keeps failing|is stuck] on my {device}.{ugh}',
    ],
  },
  service: {
    topic: 'service',
    complaint: true,
    texts: [
      '{hi}[I was promised|You promised|The agent promised] a callback [yesterday|by 5pm|{days} ago] and [nobody called|never got one|still nothing].{ugh}',
      '[On hold|Waited on hold|Stuck on hold] for [{mins} minutes|over an hour|{mins} min] and then [got disconnected|the call dropped|they hung up].{ugh}',
      '{hi}[transferred|bounced around] {n} times and [nobody|not one person] could help.{ugh}',
      '[The chat|Your chat|Live chat] [agent|bot] [just closed|ended] the chat [mid-sentence|without fixing anything].{ugh}',
      '{hi}[the store|your store] [told me|said] to call support and support told me to go to the store.{ugh}',
      '[Opened|Filed|Reported] a [ticket|case|complaint] {days} ago. [No reply.|Zero updates.|Still open.]{ugh}',
    ],
  },
  delivery: {
    topic: 'delivery',
    complaint: true,
    texts: [
      '{hi}the [technician|installer|tech] [never showed up|was a no-show|did not come] [today|this morning|for my {clock} appointment].{ugh}',
      "[My|The] [new phone|replacement router|SIM card|modem] [was supposed to arrive|should have been here] {days} ago. [Tracking has not moved.|Tracking says delivered but it's not here.]{ugh}",
      '{hi}took the day off for the [install|installation|fiber install] and [nobody came|got a text it was rescheduled].{ugh}',
      '[Install|Installation] [rescheduled|pushed back] [for the third time|again|twice now].{ugh}',
    ],
  },
  praise: {
    topic: 'praise',
    complaint: false,
    texts: [
      '{hi}[shout out|big thanks|huge thank you] to [{agent}|your agent {agent}|the rep on chat] who [fixed my {svc}|sorted out my bill|got my line working] [in minutes|so fast|on the first try]!',
      '[Switched to|Moved to|Been with] {brand} [last month|this year|a while now] and the {svc}{where} is [great|fast|rock solid]. 👍',
      '{hi}[technician|installer] was [on time|early|super friendly] and [explained everything|cleaned up after|had us online in an hour]. Thank you!',
      '[Honestly|Not gonna lie|Gotta say], [best|fastest|friendliest] [support|customer service] I have had [in years|from a phone company].',
      '{hi}[thanks|thank you] for the [quick|fast|easy] [refund|credit|fix]!',
    ],
  },
  question: {
    topic: 'other',
    complaint: false,
    texts: [
      '{hi}what time does the store [on Main|at the mall|downtown]{where} [close|open] [today|on Sundays]?',
      '{hi}do you sell the {device} [unlocked|outright|with a payment plan]?',
      '[Does|Will] the {plan} work [in Mexico|in Canada|when I travel abroad]?',
      '{hi}is [5G|fiber|home internet] available{where} yet?',
      '{hi}can I [recycle|trade in] my old {device} [at a store|by mail]?',
      "[Where|How] can I [find|download] [my invoice|last year's bills|my usage history]?",
    ],
  },
  /** A kind of trouble no topic names: voicemails never arrive (used by incidents). */
  voicemail: {
    topic: 'other',
    complaint: true,
    texts: [
      "{hi}[voicemails|voice messages] [are not|aren't] [showing up|arriving|coming through] {since}{where}.{ugh}",
      '[People say they left me a voicemail|My doctor says she left a message] but [nothing shows|there is nothing] on my phone.{ugh}',
      '{hi}visual voicemail [says "no messages"|is empty] but callers [hear|get] the beep {since}.{ugh}',
      '[Missed|Lost] [an important|a job|a school] voicemail because [they never arrive|the mailbox shows nothing]{where}.{ugh}',
    ],
  },
} satisfies Record<string, TextFamily>;

/** Every family; the unnamed kinds of trouble (texts.unnamed.ts) only ever come from incidents. */
export const CUSTOMER_FAMILIES = { ...NAMED_FAMILIES, ...UNNAMED_FAMILIES };

export type CustomerFamily = keyof typeof CUSTOMER_FAMILIES;

/** Baseline mix of what people write about (shares sum to 1). */
export const BASELINE_FAMILIES: readonly (readonly [CustomerFamily, number])[] = [
  ['network', 0.2],
  ['outage', 0.04],
  ['billing', 0.17],
  ['accountIssue', 0.06],
  ['accountQuestion', 0.07],
  ['device', 0.1],
  ['service', 0.12],
  ['delivery', 0.06],
  ['praise', 0.08],
  ['question', 0.1],
];

/** Follow-ups a customer writes after an agent's reply. */
export const FOLLOW_UPS = {
  stillBroken: [
    '[Still|Still nothing.|Nope, still] [down|broken|not working|the same] [after {n} hours|since your reply|and I did everything you said].{ugh}',
    '[Did that|Already did that|Tried that] [twice|yesterday|three times]. [No change.|Same problem.|Did not help.]{ugh}',
    "[It has been|It's been] [{n} hours|a day|{days}]. [Any update?|When?|Hello??]{ugh}",
    "[That|Your suggestion] [didn't|did not] [work|fix it]. [Now what?|What next?|Please escalate.]",
  ],
  thanks: [
    '[Thanks|Thank you|Thx], [it works now|that fixed it|all good now|back up]! 🙏',
    "[Working again|It's back|Up and running]. [Thanks for the help.|Appreciate it.|Thanks.]",
    "[Ok|OK|Okay] [that did it|that worked|it's fine now], thank you.",
  ],
  info: [
    '[Sent|Just sent] you a DM with my account [details|number].',
    '[My|The] account number is {acct}.',
    "[It's|Address is] in {zip}, [{city}|near downtown].",
    '[Yes|Yep], [both phones|every device|wifi and cable] [have the problem|are affected].',
  ],
} as const;
