/**
 * What the simulated brand's agents write. Written by us. Same syntax as texts.customer.ts.
 * `{sig}` is the agent's signature; `{eta}` a clock time for the next update.
 */
import type { SimTopic } from './sim.types.js';

const OPENERS = '[Hi {first}, |Hello {first}, |Hey {first}! |Thanks for reaching out, {first}. |]';

export const AGENT_REPLIES: Record<SimTopic, string[]> = {
  outage: [
    `${OPENERS}[sorry about that|we're sorry for the trouble]. Let's check for [an outage|any known issues] in your area. [Please send us|Can you DM us] your ZIP code and account number? {sig}`,
    `${OPENERS}[that's not what we want|not the experience we want for you]. Please [restart the modem|power cycle your gateway] and let us know if [the lights come back|service returns]. {sig}`,
  ],
  network: [
    `${OPENERS}sorry the [connection|signal|speed] is [letting you down|not where it should be]. [Which address is this at?|Is this at home or on the go?|Does it happen on wifi too?] {sig}`,
    `${OPENERS}let's look at this together. [Please DM us|Send us a private message with] the address and [when it started|what you see on a speed test]. {sig}`,
    `${OPENERS}[we've sent a refresh to your line|we refreshed your line on our side]. Please restart [your phone|the device] and [tell us how it goes|let us know]. {sig}`,
  ],
  billing: [
    `${OPENERS}[I can look into that charge|let's get that bill sorted]. Please [DM us|send us a private message with] the account number and the [amount|date] you see. {sig}`,
    `${OPENERS}[sorry for the confusion on the bill|I understand, surprises on a bill are no fun]. I've [opened a billing review|asked our billing team to check]; you'll hear back within [2|3] business days. {sig}`,
  ],
  account: [
    `${OPENERS}[happy to help with your account|I can help with that]. For your security, [please DM us|send us a private message] and we'll [verify the account|take it from there]. {sig}`,
    `${OPENERS}you can do that [in the app under Account > Plan|online under My Account], or [we can do it for you|I can do it here] once we verify you. {sig}`,
  ],
  device: [
    `${OPENERS}sorry the [device|equipment] is acting up. [Could you try a factory reset?|Is the software up to date?|Does it happen with another charger?] {sig}`,
    `${OPENERS}[that sounds like a hardware fault|that shouldn't happen]. We can [send a replacement|set up a swap at a store]; [DM us|send us a message] your address. {sig}`,
  ],
  service: [
    `${OPENERS}[I'm sorry we let you down|that's not OK, and I'm sorry]. I'll [call you back myself|set up a callback] [before 5 pm|within the hour|today]. {sig}`,
    `${OPENERS}[I apologise for the runaround|sorry you've been passed around]. Please DM us the [case number|details] and I'll [own this|follow it through] personally. {sig}`,
  ],
  delivery: [
    `${OPENERS}[sorry about the missed appointment|that's frustrating, sorry]. [Let's get a new time that works.|I can book the first slot tomorrow.] What suits you? {sig}`,
    `${OPENERS}I [checked the shipment|looked up the order]; it's [with the carrier|out for delivery] and [should arrive|is due] [tomorrow|within 2 days]. {sig}`,
  ],
  praise: [
    `${OPENERS}[thank you|thanks so much] for the kind words! [I'll pass them on to the team.|Made our day.] {sig}`,
    `${OPENERS}[love to hear it|so glad to hear that]! [Enjoy|Have a great day].{sig}`,
  ],
  other: [
    `${OPENERS}[good question|thanks for asking]! [You can find that in the app|Our website has the details|I can check that for you]. {sig}`,
    `${OPENERS}[let me find out for you|I'll check on that]. [One moment.|Back shortly.] {sig}`,
  ],
};

/** Replies once an incident is known: informed, with an update time. */
export const INCIDENT_ACK = [
  `${OPENERS}we're aware of a [service issue|problem] affecting {area}. [Our engineers are on it|A team is working on it]; next update by {eta}. {sig}`,
  `${OPENERS}[thanks for letting us know|sorry for the disruption]. There is a known issue in {area} and we expect an update by {eta}. {sig}`,
  `${OPENERS}[yes, we know about it|you're not alone]: [engineers are working on|we're fixing] an issue in {area}. We'll [update you|post an update] by {eta}. {sig}`,
];

/** A second agent reply after the customer's follow-up. */
export const AGENT_SECOND = [
  "Thanks {first}, [I've escalated this|I've passed this to the right team|I've added that to your case]. We'll be in touch [today|within 24 hours]. {sig}",
  'Got it, thanks. [I see it on my side now|That helps a lot]. [Give it 30 minutes and try again.|A fix is on the way.] {sig}',
  '[Glad to hear it|Great news], {first}! [Reach out any time.|Have a good one.] {sig}',
];

/** An agent asks to move a public thread private. */
export const MOVE_PRIVATE = [
  `${OPENERS}we'd like to help. [Please DM us|Send us a DM] [so we can look at your account|with your account details] privately. {sig}`,
  `${OPENERS}[let's take this private|let's continue in private] so we can [verify your account|see your details]. [Please DM us.|A DM works best.] {sig}`,
];

export const AGENT_NAMES = [
  'Dana',
  'Jay',
  'Marisol',
  'Ken',
  'Priti',
  'Sam',
  'Lou',
  'Ada',
  'Rico',
  'Tess',
  'Omar',
  'Bea',
];
