/**
 * What a `showcase` scenario (the first-start demo, scenarios.ts) does differently: it is read by
 * people, so the brand behaves like a well-run desk and its texts fit their channel. Nothing here
 * is reached by a scenario without the flag, so measured streams (eval) stay byte-identical.
 */
import type { ChannelKind } from '../ingest/inbound.schema.js';
import type { SimTopic } from './sim.types.js';
import { AGENT_REPLIES } from './texts.agent.js';

/** Median minutes to an agent reply on a staffed, 24/7 desk: inside a 1-hour target mostly. */
export const SHOWCASE_REPLY_MEDIAN_MIN: Record<ChannelKind, number> = {
  x: 10,
  facebook: 14,
  instagram: 16,
  whatsapp: 8,
  sms: 9,
  voice: 18,
  email: 24,
  webchat: 1.5,
  api: 28,
};

const SOCIAL = new Set<ChannelKind>(['x', 'facebook', 'instagram']);

/** Asking to "DM us" makes sense only on a public post of a social network. */
export function canAskForDm(channel: ChannelKind, isPublic: boolean): boolean {
  return isPublic && SOCIAL.has(channel);
}

const OPENERS = '[Hi {first}, |Hello {first}, |Thanks for getting in touch, {first}. |]';

/** Replies that ask for details on the channel the customer used (a call, a mail, a chat). */
const DIRECT_REPLIES: Partial<Record<SimTopic, string[]>> = {
  outage: [
    `${OPENERS}[sorry about that|we're sorry for the trouble]. Could you [confirm|share] your ZIP code and account number so I can check for [an outage|known issues]? {sig}`,
  ],
  network: [
    `${OPENERS}let's look at this together. Could you [share|confirm] the address and [when it started|what you see on a speed test]? {sig}`,
  ],
  billing: [
    `${OPENERS}[I can look into that charge|let's get that bill sorted]. Could you [confirm|share] the account number and the [amount|date] you see? {sig}`,
  ],
  account: [
    `${OPENERS}[happy to help with your account|I can help with that]. For your security I'll [verify a few details first|need to verify the account holder]: what is the account number? {sig}`,
  ],
  device: [
    `${OPENERS}[that sounds like a hardware fault|that shouldn't happen]. We can [send a replacement|set up a swap at a store]; [which address should it go to|which store suits you]? {sig}`,
  ],
  service: [
    `${OPENERS}[I apologise for the runaround|sorry you've been passed around]. Could you [share|confirm] the [case number|details]? I'll [own this|follow it through] personally. {sig}`,
  ],
};

/** The answer to a customer who comes back on another channel because it is still not fixed. */
export const REPEAT_REPLIES = [
  `${OPENERS}[sorry you had to contact us again|I'm sorry this still isn't fixed]. [I've escalated it|I've picked this up myself] and [will update you by {eta}|we'll be in touch today]. {sig}`,
  `${OPENERS}thanks for your patience, and sorry for the repeat contact. I can see your earlier messages; [a specialist is on it|I've reopened this with our technical team] and we'll update you by {eta}. {sig}`,
];

const ASKS_FOR_DM = /\bDM\b|private message/;

/** First-reply templates for a conversation that is already private or not on social media. */
export function directReplies(topic: SimTopic): string[] {
  return [
    ...AGENT_REPLIES[topic].filter((t) => !ASKS_FOR_DM.test(t)),
    ...(DIRECT_REPLIES[topic] ?? []),
  ];
}

/** Subject lines customers write, by topic. Same template syntax as the texts. */
export const EMAIL_SUBJECTS: Record<SimTopic, string[]> = {
  outage: [
    'No service since this morning',
    '[Internet|Service] down at {zip}',
    'Outage in {city}?',
    'Complete loss of service – account {acct}',
  ],
  network: [
    'Slow internet speeds',
    'Calls keep dropping',
    '[Poor|Weak] signal at home',
    'Connection problems – account {acct}',
  ],
  billing: [
    'Question about my bill',
    'Incorrect charge on my [bill|statement]',
    'Billing error – account {acct}',
    '[Refund|Credit] request',
  ],
  account: [
    'Change to my plan',
    'Account access problem',
    '[Question about|Help with] my account {acct}',
    'Moving – transfer of service',
  ],
  device: ['[Modem|Router|Phone] not working', 'Faulty equipment', 'Device replacement request'],
  service: [
    '[Complaint|Formal complaint] about customer service',
    'Still waiting for a callback',
    'Unresolved issue – account {acct}',
  ],
  delivery: [
    'Missed installation appointment',
    'Where is my order?',
    '[Technician|Installer] did not show up',
  ],
  praise: ['Thank you!', 'Great service from your team', 'Compliment for your staff'],
  other: ['[Quick|A] question', 'Information request', 'Question about your services'],
};
