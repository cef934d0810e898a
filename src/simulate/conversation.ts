/**
 * One conversation: a customer's first message and what follows — an agent reply (after a delay
 * that depends on the channel and on night hours), maybe a move to private, a follow-up that
 * answers the agent (inReplyTo), a second agent reply, and sometimes a later contact on another
 * channel about the same thing (no inReplyTo: only identity resolution can join it).
 */
import type { ChannelKind, InboundMessage } from '../ingest/inbound.schema.js';
import type { PlannedIncident } from './incidents.js';
import type { Identity, PeopleFactory, Person } from './people.js';
import type { Rng } from './prng.js';
import { BRAND, fill, type RenderContext, wrapAgent, wrapCustomer } from './render.js';
import { localHour } from './rhythm.js';
import {
  canAskForDm,
  directReplies,
  EMAIL_SUBJECTS,
  REPEAT_REPLIES,
  SHOWCASE_REPLY_MEDIAN_MIN,
} from './showcase.js';
import type { SimEvent, SimTopic, SimTruth } from './sim.types.js';
import {
  AGENT_NAMES,
  AGENT_REPLIES,
  AGENT_SECOND,
  INCIDENT_ACK,
  MOVE_PRIVATE,
} from './texts.agent.js';
import { CUSTOMER_FAMILIES, type CustomerFamily, FOLLOW_UPS } from './texts.customer.js';

const MIN = 60_000;

/** Brand-side accounts, one per channel. Phone numbers are fictional (555-01xx). */
const BRAND_AUTHORS: Record<ChannelKind, (agent: string) => Identity> = {
  x: () => ({ id: '1180000000000000001', handle: BRAND.xHandle, name: `${BRAND.name} Help` }),
  facebook: () => ({ id: '104800000000001', name: BRAND.name }),
  instagram: () => ({ id: '17841400000000001', handle: BRAND.instagramHandle, name: BRAND.name }),
  whatsapp: () => ({ id: '+18005550100', name: BRAND.name }),
  sms: () => ({ id: '+18005550100', name: BRAND.name }),
  voice: (agent) => ({ id: '+18005550100', name: agent }),
  email: (agent) => ({ id: 'care@kestrel.example', name: `${agent} (${BRAND.name} Care)` }),
  webchat: (agent) => ({ id: `agent-${agent.toLowerCase()}`, name: agent }),
  api: () => ({ id: 'kestrel-care', name: `${BRAND.name} Care` }),
};

/** Median minutes to a first agent reply, per channel. */
const REPLY_MEDIAN_MIN: Record<ChannelKind, number> = {
  x: 25,
  facebook: 45,
  instagram: 60,
  whatsapp: 15,
  sms: 18,
  voice: 70,
  email: 200,
  webchat: 1.5,
  api: 240,
};

/** Channels where a message can answer a specific earlier one (a call cannot). */
const REPLYABLE = new Set<ChannelKind>([
  'x',
  'facebook',
  'instagram',
  'whatsapp',
  'sms',
  'email',
  'webchat',
  'api',
]);

export interface ConversationEnv {
  rng: Rng;
  people: PeopleFactory;
  /** The scenario's `showcase` switch (showcase.ts); false keeps measured streams unchanged. */
  showcase: boolean;
  channelShares: readonly (readonly [ChannelKind, number])[];
  nextExternalId: () => string;
  /** Schedules one event at its event time. */
  emit: (t: number, event: SimEvent) => void;
}

interface Turn {
  t: number;
  channel: ChannelKind;
  isPublic: boolean;
  externalId: string;
}

export function startConversation(
  env: ConversationEnv,
  t0: number,
  person: Person,
  family: CustomerFamily,
  incident?: PlannedIncident,
): void {
  const { rng, people, showcase } = env;
  const fam = CUSTOMER_FAMILIES[family];
  const topic: SimTopic = fam.topic;
  const channel = pickChannel(env, person, incident);
  const isPublic = publicOn(rng, channel);
  const agentName = rng.pick(AGENT_NAMES);
  const incidentId = incident?.incident.id;
  const mentionArea = rng.chance(
    incident ? 0.4 : topic === 'outage' || topic === 'network' ? 0.25 : 0.08,
  );

  // Showcase only: one e-mail thread's subject, drawn when the conversation first uses e-mail.
  let subject: string | undefined;
  const emailSubject = (ch: ChannelKind, ctx: RenderContext, reply: boolean) => {
    if (!showcase || ch !== 'email') return undefined;
    subject ??= fill(rng.pick(EMAIL_SUBJECTS[topic]), rng, ctx);
    return reply ? `Re: ${subject}` : subject;
  };

  const customer = (
    t: number,
    ch: ChannelKind,
    pub: boolean,
    body: string,
    complaint: boolean,
    inReplyTo?: string,
  ): Turn => {
    const ctx = renderCtx(person, ch, t, agentName, mentionArea, incident);
    const id = people.identity(person, ch);
    const message: InboundMessage = {
      channel: ch,
      externalId: env.nextExternalId(),
      direction: 'in',
      author: { ...id },
      text: wrapCustomer(fill(body, rng, ctx), rng, ctx, pub),
      sentAt: new Date(t).toISOString(),
      visibility: pub ? 'public' : 'private',
    };
    const subj = emailSubject(ch, ctx, inReplyTo !== undefined);
    if (subj !== undefined) message.subject = subj;
    if (inReplyTo !== undefined) message.inReplyTo = inReplyTo;
    const truth: SimTruth = { customerKey: person.key, complaint, topic, area: person.home };
    if (incidentId) truth.incidentId = incidentId;
    env.emit(t, { type: 'message', message, truth });
    return { t, channel: ch, isPublic: pub, externalId: message.externalId };
  };

  const agent = (t: number, to: Turn, template: string): Turn => {
    const ctx = renderCtx(person, to.channel, t, agentName, false, incident);
    const customerHandle = person.identities[to.channel]?.handle;
    const message: InboundMessage = {
      channel: to.channel,
      externalId: env.nextExternalId(),
      direction: 'out',
      author: BRAND_AUTHORS[to.channel](agentName),
      text: wrapAgent(fill(template, rng, ctx), rng, ctx, to.isPublic, customerHandle),
      sentAt: new Date(t).toISOString(),
      visibility: to.isPublic ? 'public' : 'private',
    };
    const subj = emailSubject(to.channel, ctx, true);
    if (subj !== undefined) message.subject = subj;
    // A showcase desk's call log names the voicemail a returned call answers, so the call is
    // the case's first response instead of an orphan nobody can place.
    if (REPLYABLE.has(to.channel) || (showcase && to.channel === 'voice'))
      message.inReplyTo = to.externalId;
    const truth: SimTruth = { customerKey: person.key, complaint: false, topic };
    if (incidentId) truth.incidentId = incidentId;
    env.emit(t, { type: 'message', message, truth });
    return { t, channel: to.channel, isPublic: to.isPublic, externalId: message.externalId };
  };

  const first = customer(t0, channel, isPublic, rng.pick(fam.texts), fam.complaint);

  // Agent reply.
  const answered = showcase ? (topic === 'praise' ? 0.85 : 0.98) : topic === 'praise' ? 0.6 : 0.87;
  if (!rng.chance(answered)) return;
  const replyAt = agentTime(rng, first.t, channel, person.metro.utcOffset, showcase);
  const informed = incident !== undefined && replyAt > incident.startMs + 20 * MIN;
  const movePrivate = first.isPublic && !informed && fam.complaint && rng.chance(0.25);
  const template = informed
    ? rng.pick(INCIDENT_ACK)
    : movePrivate
      ? rng.pick(MOVE_PRIVATE)
      : rng.pick(
          showcase && !canAskForDm(channel, first.isPublic)
            ? directReplies(topic)
            : AGENT_REPLIES[topic],
        );
  const reply = agent(replyAt, first, template);

  // Customer follow-up.
  if (!rng.chance(topic === 'praise' ? 0.15 : 0.55)) return;
  const stillOn = incident !== undefined && reply.t < incident.endMs;
  const kind = !fam.complaint
    ? rng.weighted([
        ['thanks', 0.8],
        ['info', 0.2],
      ] as const)
    : rng.weighted([
        ['stillBroken', stillOn ? 0.6 : 0.42],
        ['thanks', stillOn ? 0.1 : 0.33],
        ['info', 0.25],
      ] as const);
  const followAt = reply.t + rng.logNormal(18, 0.9) * MIN;
  // After "please DM us" the customer answers in a private message, which is not a reply in X's model.
  const follow = movePrivate
    ? customer(followAt, reply.channel, false, rng.pick(FOLLOW_UPS.info), false)
    : customer(
        followAt,
        reply.channel,
        reply.isPublic,
        rng.pick(FOLLOW_UPS[kind]),
        kind === 'stillBroken',
        REPLYABLE.has(reply.channel) ? reply.externalId : undefined,
      );

  if (rng.chance(showcase ? 0.96 : 0.6)) {
    agent(
      agentTime(rng, follow.t, follow.channel, person.metro.utcOffset, showcase),
      follow,
      rng.pick(AGENT_SECOND),
    );
  }

  // Some come back later on another channel about the same need.
  if (fam.complaint && kind === 'stillBroken' && rng.chance(0.25)) {
    const other =
      person.channels.find((c) => c !== follow.channel) ?? otherChannel(env, follow.channel);
    const laterAt = follow.t + rng.logNormal(240, 0.8) * MIN;
    const opener = rng.pick([
      'I [contacted|messaged] you about this [earlier|yesterday] and it is still not fixed. ',
      '[Second|Third] time reaching out. ',
      '[Following up|Follow-up] on my [earlier message|complaint]: ',
    ]);
    const later = customer(
      laterAt,
      other,
      publicOn(rng, other),
      opener + rng.pick(fam.texts),
      true,
    );
    // A showcase desk answers the repeat contact too, on the channel it came in on.
    if (showcase)
      agent(
        agentTime(rng, later.t, later.channel, person.metro.utcOffset, true),
        later,
        rng.pick(REPEAT_REPLIES),
      );
  }
}

function renderCtx(
  person: Person,
  channel: ChannelKind,
  at: number,
  agentName: string,
  mentionArea: boolean,
  incident?: PlannedIncident,
): RenderContext {
  return {
    person,
    channel,
    at,
    agentName,
    mentionArea,
    utcOffset: person.metro.utcOffset,
    ...(incident ? { incidentArea: incident.areaText, incidentStart: incident.startMs } : {}),
  };
}

/** Channel mix when an incident strikes: people grab the phone and social media first. */
const INCIDENT_CHANNELS: readonly (readonly [ChannelKind, number])[] = [
  ['x', 0.24],
  ['voice', 0.2],
  ['facebook', 0.12],
  ['sms', 0.11],
  ['whatsapp', 0.08],
  ['webchat', 0.09],
  ['email', 0.08],
  ['instagram', 0.05],
  ['api', 0.03],
];

function pickChannel(
  env: ConversationEnv,
  person: Person,
  incident?: PlannedIncident,
): ChannelKind {
  const { rng } = env;
  if (incident) return rng.weighted(INCIDENT_CHANNELS);
  if (rng.chance(0.7)) return person.primary;
  return rng.chance(0.7) ? rng.pick(person.channels) : rng.weighted(env.channelShares);
}

function otherChannel(env: ConversationEnv, not: ChannelKind): ChannelKind {
  for (;;) {
    const c = env.rng.weighted(env.channelShares);
    if (c !== not) return c;
  }
}

function publicOn(rng: Rng, channel: ChannelKind): boolean {
  if (channel === 'x') return rng.chance(0.85);
  if (channel === 'facebook') return rng.chance(0.55);
  if (channel === 'instagram') return rng.chance(0.4);
  return false;
}

/**
 * When an agent answers: a channel-specific log-normal delay; outside 07:00–23:00 local only the X
 * desk and web chat are staffed, other replies wait for the morning shift.
 */
function agentTime(
  rng: Rng,
  after: number,
  channel: ChannelKind,
  utcOffset: number,
  showcase: boolean,
): number {
  // A showcase desk is staffed around the clock and answers faster (showcase.ts).
  if (showcase)
    return Math.round(
      after + Math.max(0.3, rng.logNormal(SHOWCASE_REPLY_MEDIAN_MIN[channel], 0.6)) * MIN,
    );
  let t = after + Math.max(0.3, rng.logNormal(REPLY_MEDIAN_MIN[channel], 0.8)) * MIN;
  const h = localHour(t, utcOffset);
  if ((h >= 23 || h < 7) && channel !== 'x' && channel !== 'webchat') {
    const hoursToSeven = h >= 23 ? 31 - h : 7 - h;
    const startOfHour = t - (t % 3_600_000);
    t = startOfHour + hoursToSeven * 3_600_000 + rng.int(0, 90) * MIN;
  }
  return Math.round(t);
}
