/**
 * Turns templates into text: `[a|b]` alternatives, `{slot}` values, and the shape each channel
 * gives a message (an @mention on X, a greeting and signature in email, a transcript for voice).
 */
import type { ChannelKind } from '../ingest/inbound.schema.js';
import type { Person } from './people.js';
import type { Rng } from './prng.js';
import type { SimArea } from './sim.types.js';

export const BRAND = {
  name: 'Kestrel',
  xHandle: 'KestrelHelp',
  instagramHandle: 'kestrel.mobile',
};

export interface RenderContext {
  person: Person;
  /** Whether this message names a place ({where}). */
  mentionArea: boolean;
  /** Hours from UTC where the customer is, and the message's epoch ms, for clock times. */
  utcOffset: number;
  at: number;
  agentName: string;
  channel: ChannelKind;
  /** Incident area text for informed replies. */
  incidentArea?: string;
  /** Epoch ms when the incident behind this conversation began. */
  incidentStart?: number;
}

const SVC = [
  'internet',
  'wifi',
  'cell service',
  'data',
  '5G',
  'LTE',
  'phone service',
  'home internet',
  'fiber',
  'service',
];
const DEVICES = [
  'phone',
  'iPhone',
  'Galaxy',
  'Pixel',
  'tablet',
  'hotspot',
  'router',
  'modem',
  'gateway',
  'smartwatch',
];
const PLANS = [
  'unlimited plan',
  'family plan',
  'prepaid plan',
  'Fiber 500 plan',
  '300 Mbps plan',
  'basic plan',
];
const DAYS = ['2 days', '3 days', 'a week', 'two weeks', '4 days', '10 days', 'a month'];
const HI = ['', '', '', 'Hi, ', 'Hello, ', 'Hey ', 'Um, ', 'Hi there, ', 'Ok so ', 'Yo '];
const UGH = [
  '',
  '',
  '',
  ' This is ridiculous.',
  ' Please fix this.',
  ' Not happy.',
  ' 😡',
  ' Seriously??',
  ' Come on.',
  ' #fail',
  ' I pay for this every month!',
  ' Any update?',
  ' Help!',
  ' 😤',
  ' Unacceptable.',
  ' So frustrating.',
  ' 🙄',
  ' What am I paying for?',
  ' Please advise.',
  ' Thanks in advance.',
];
const SINCE = [
  'since this morning',
  'since last night',
  'all day',
  'since yesterday',
  'for a few hours',
  'for the last hour',
  'since lunch',
  'for two days now',
  'on and off all week',
  'since the weekend',
];

/** Local clock time like `7:40 PM`, `minutesBack` before the message. */
function clock(ctx: RenderContext, minutesBack: number): string {
  const d = new Date(ctx.at + ctx.utcOffset * 3_600_000 - minutesBack * 60_000);
  const h = d.getUTCHours();
  const mm = String(Math.floor(d.getUTCMinutes() / 5) * 5).padStart(2, '0');
  return `${((h + 11) % 12) + 1}:${mm} ${h < 12 ? 'AM' : 'PM'}`;
}

function whereText(rng: Rng, p: Person): string {
  const { city, postalCode } = p.home as SimArea & { postalCode: string; city: string };
  return rng.pick([
    ` in ${city}`,
    ` here in ${postalCode}`,
    ` (${postalCode})`,
    ` in ${city} ${postalCode}`,
    ` around ${rng.pick(p.metro.nicknames)}`,
    ` in ${postalCode}`,
    ` in ${city}, ${p.metro.state}`,
  ]);
}

function slot(name: string, rng: Rng, ctx: RenderContext): string {
  const p = ctx.person;
  switch (name) {
    case 'hi':
      return rng.pick(HI);
    case 'ugh':
      return rng.pick(UGH);
    case 'svc':
      return rng.pick(SVC);
    case 'device':
      return rng.pick(DEVICES);
    case 'plan':
      return rng.pick(PLANS);
    case 'days':
      return rng.pick(DAYS);
    case 'since': {
      // During an incident people date the trouble from when it began, not "since last week".
      if (ctx.incidentStart !== undefined) {
        const minutes = Math.max(5, Math.round((ctx.at - ctx.incidentStart) / 60_000));
        return rng.chance(0.5)
          ? `since ${clock(ctx, minutes)}`
          : minutes < 90
            ? `for ${minutes} minutes`
            : `for ${Math.round(minutes / 60)} hours`;
      }
      return rng.chance(0.2) ? `since ${clock(ctx, rng.int(20, 240))}` : rng.pick(SINCE);
    }
    case 'clock':
      return clock(ctx, rng.int(15, 180));
    case 'eta':
      return clock(ctx, -rng.int(60, 150));
    case 'where':
      return ctx.mentionArea ? whereText(rng, p) : '';
    case 'amt':
      return `$${rng.int(5, 180)}.${rng.pick(['00', '99', '50', '47', '15'])}`;
    case 'mbps':
      return String(rng.int(1, 12));
    case 'n':
      return String(rng.int(2, 9));
    case 'mins':
      return String(rng.int(25, 95));
    case 'acct':
      return p.accountNo;
    case 'zip':
      return p.home.postalCode ?? '';
    case 'city':
      return p.home.city ?? '';
    case 'first':
      return p.first;
    case 'agent':
      return ctx.agentName;
    case 'brand':
      return BRAND.name;
    case 'area':
      return ctx.incidentArea ?? 'your area';
    case 'sig':
      return signature(rng, ctx);
    default:
      throw new Error(`unknown template slot {${name}}`);
  }
}

function signature(rng: Rng, ctx: RenderContext): string {
  const initials = ctx.agentName.slice(0, 2).toUpperCase();
  if (ctx.channel === 'x' || ctx.channel === 'instagram')
    return rng.chance(0.7) ? `^${initials}` : `-${initials}`;
  if (ctx.channel === 'email') return '';
  return `– ${ctx.agentName}`;
}

const ALT_RE = /\[([^[\]]*)\]/g;
const SLOT_RE = /\{(\w+)\}/g;

/** Expands one template. Alternatives first (they may contain slots), then slots. */
export function fill(template: string, rng: Rng, ctx: RenderContext): string {
  const chosen = template.replace(ALT_RE, (_, alts: string) => rng.pick(alts.split('|')));
  const text = chosen.replace(SLOT_RE, (_, name: string) => slot(name, rng, ctx));
  const tidy = text
    .replace(/ {2,}/g, ' ')
    .replace(/ ([.,?!])/g, '$1')
    .trim();
  return tidy.charAt(0).toUpperCase() + tidy.slice(1);
}

/** Gives a customer's text the shape of its channel. */
export function wrapCustomer(
  body: string,
  rng: Rng,
  ctx: RenderContext,
  isPublic: boolean,
): string {
  const p = ctx.person;
  switch (ctx.channel) {
    case 'x':
      if (!isPublic) return body;
      return rng.chance(0.85) ? `@${BRAND.xHandle} ${body}` : `${body} @${BRAND.xHandle}`;
    case 'instagram':
      return isPublic && rng.chance(0.5) ? `@${BRAND.instagramHandle} ${body}` : body;
    case 'sms':
    case 'whatsapp':
      return rng.chance(0.3) ? body.toLowerCase().replace(/\.$/, '') : body;
    case 'email': {
      const greet = rng.pick([
        'Hello,',
        'Hi,',
        'Dear Kestrel Support,',
        'To whom it may concern,',
        'Hi there,',
      ]);
      const more = rng.pick([
        '',
        '\n\nI would appreciate a reply as soon as possible.',
        '\n\nI have tried calling but could not get through.',
        '\n\nPlease let me know what you need from me.',
        `\n\nMy account number is ${p.accountNo}.`,
      ]);
      const bye = rng.pick(['Thanks', 'Regards', 'Best', 'Thank you', 'Sincerely']);
      return `${greet}\n\n${body}${more}\n\n${bye},\n${p.name}`;
    }
    case 'voice':
      return rng.chance(0.6)
        ? `[Voicemail transcript] Hi, this is ${rng.chance(0.7) ? p.name : p.first}. ${body} ${rng.pick(
            [
              'Please call me back.',
              'You can reach me at this number.',
              `My account number is ${p.accountNo.split('').join(' ')}.`,
              'Thanks, bye.',
            ],
          )}`
        : `[Call summary] Caller ${p.name} said: ${body}`;
    case 'webchat':
      return rng.chance(0.3) ? `hi\n${body}` : body;
    case 'api':
      return `[In-app feedback] ${body}`;
    default:
      return body;
  }
}

/** Gives an agent's text the shape of its channel. */
export function wrapAgent(
  body: string,
  rng: Rng,
  ctx: RenderContext,
  isPublic: boolean,
  xHandle?: string,
): string {
  switch (ctx.channel) {
    case 'x':
      return isPublic && xHandle ? `@${xHandle} ${body}` : body;
    case 'email':
      return `${body}\n\n${ctx.agentName}\n${BRAND.name} Customer Care`;
    case 'voice':
      return `[Outbound call] ${rng.pick(['Called', 'Rang', 'Returned the call to'])} ${ctx.person.first}: ${body}`;
    default:
      return body;
  }
}
