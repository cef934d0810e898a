/**
 * Simulated customers: one person, one name, one home ZIP, and an address on each channel they
 * use. Identity resolution later has real work to do: the X handle, the email address and the
 * phone number of one person share nothing but the name (and sometimes the name in the text).
 *
 * Addresses are safe to use in a live install: emails are on the reserved `example.*` domains
 * (RFC 2606) and phone numbers use the 555 exchange of real area codes.
 */
import type { ChannelKind } from '../ingest/inbound.schema.js';
import type { Metro } from './areas.js';
import type { Rng } from './prng.js';
import type { SimArea } from './sim.types.js';

const FIRST_NAMES = [
  'Maria',
  'James',
  'Aisha',
  'Daniel',
  'Priya',
  'Carlos',
  'Emily',
  'Kwame',
  'Sofia',
  'Michael',
  'Mei',
  'Jamal',
  'Olivia',
  'Luis',
  'Hannah',
  'Darnell',
  'Grace',
  'Tomas',
  'Fatima',
  'Ryan',
  'Nadia',
  'Kevin',
  'Rosa',
  'Ethan',
  'Yuki',
  'Marcus',
  'Leah',
  'Andre',
  'Chloe',
  'Diego',
  'Tanya',
  'Brian',
  'Imani',
  'Victor',
  'Sarah',
  'Hector',
  'Ava',
  'Omar',
  'Julia',
  'Trevor',
  'Keisha',
  'Noah',
  'Lena',
  'Raj',
  'Beatriz',
  'Colin',
  'Destiny',
  'Ahmed',
  'Megan',
  'Andrew',
  'Lucia',
  'Tyrone',
  'Anna',
  'Jorge',
  'Brianna',
  'Samuel',
  'Ngozi',
  'Patrick',
  'Camila',
  'Wei',
  'Gloria',
  'Jason',
  'Ines',
  'Derek',
  'Alicia',
  'Mateo',
  'Shanice',
  'Connor',
  'Elena',
  'Ravi',
];

const LAST_NAMES = [
  'Garcia',
  'Johnson',
  'Nguyen',
  'Smith',
  'Patel',
  'Williams',
  'Rodriguez',
  'Brown',
  'Kim',
  'Jones',
  'Martinez',
  'Davis',
  'Chen',
  'Miller',
  'Hernandez',
  'Wilson',
  'Lopez',
  'Moore',
  'Okafor',
  'Taylor',
  'Gonzalez',
  'Anderson',
  'Singh',
  'Thomas',
  'Perez',
  'Jackson',
  'Wang',
  'White',
  'Sanchez',
  'Harris',
  'Ramirez',
  'Martin',
  'Ali',
  'Thompson',
  'Torres',
  'Clark',
  'Flores',
  'Lewis',
  'Rivera',
  'Walker',
  'Cohen',
  'Hall',
  'Diaz',
  'Young',
  'Reyes',
  'King',
  'Cruz',
  'Wright',
  'Mensah',
  'Scott',
  'Morales',
  'Green',
  'Ortiz',
  'Baker',
  'Gupta',
  'Adams',
  'Ruiz',
  'Nelson',
  'Alvarez',
  'Hill',
  'Castillo',
  'Campbell',
  'Yamamoto',
  'Mitchell',
  'Romero',
  'Roberts',
  'Shah',
  'Carter',
  'Vargas',
  'Phillips',
];

const EMAIL_DOMAINS = [
  'example.com',
  'example.net',
  'example.org',
  'mail.example.com',
  'inbox.example.net',
];

export interface Identity {
  id: string;
  handle?: string;
  name?: string;
  location?: string;
  followers?: number;
}

export interface Person {
  /** Ground-truth key, unique in a run: `p000042`. */
  key: string;
  first: string;
  last: string;
  name: string;
  metro: Metro;
  home: SimArea;
  /** The channel they reach for first. */
  primary: ChannelKind;
  /** Channels they have an identity on (primary first). */
  channels: ChannelKind[];
  identities: Partial<Record<ChannelKind, Identity>>;
  /** Customer account number in the company's systems (spoken on calls, typed in forms). */
  accountNo: string;
}

/** Makes people and their channel addresses, unique within one run. */
export class PeopleFactory {
  private count = 0;
  private readonly usedEmails = new Set<string>();
  private readonly usedPhones = new Set<string>();
  private readonly usedHandles = new Set<string>();

  /** `runTag` (0–999,999) offsets numeric ids so that two runs do not share X ids or PSIDs. */
  constructor(
    private readonly rng: Rng,
    private readonly runTag: number,
    private readonly channelShares: readonly (readonly [ChannelKind, number])[],
  ) {}

  create(metro: Metro, zip: string, primary?: ChannelKind): Person {
    const rng = this.rng;
    const index = this.count++;
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const main = primary ?? rng.weighted(this.channelShares);
    const channels: ChannelKind[] = [main];
    // Most people use two or three channels with a company over time.
    const extra = rng.weighted([
      [0, 0.3],
      [1, 0.45],
      [2, 0.25],
    ] as const);
    for (let i = 0; i < extra * 3 && channels.length < 1 + extra; i++) {
      const c = rng.weighted(this.channelShares);
      if (!channels.includes(c)) channels.push(c);
    }
    return {
      key: `p${String(index).padStart(6, '0')}`,
      first,
      last,
      name: `${first} ${last}`,
      metro,
      home: { postalCode: zip, city: metro.city, region: metro.state, country: 'US' },
      primary: main,
      channels,
      identities: {},
      accountNo: String(rng.int(10_000_000, 99_999_999)),
    };
  }

  /** The person's address on a channel, created on first use and then stable. */
  identity(p: Person, channel: ChannelKind): Identity {
    const known = p.identities[channel];
    if (known) return known;
    if (!p.channels.includes(channel)) p.channels.push(channel);
    const made = this.makeIdentity(p, channel);
    p.identities[channel] = made;
    return made;
  }

  private numericId(p: Person, base: number): string {
    // base + run tag × 10^9 + person × 1000 + noise: unique per person and run, 16 digits, safe integer.
    const idx = Number(p.key.slice(1));
    return String(base + this.runTag * 1_000_000_000 + idx * 1000 + this.rng.int(0, 999));
  }

  private makeIdentity(p: Person, channel: ChannelKind): Identity {
    const rng = this.rng;
    switch (channel) {
      case 'x':
        return {
          id: this.numericId(p, 1_000_000_000_000_000),
          handle: this.handle(p),
          name: p.name,
          followers: Math.round(rng.logNormal(180, 1.6)),
          ...optional('location', xLocation(rng, p)),
        };
      case 'instagram':
        return {
          id: this.numericId(p, 7_000_000_000_000_000),
          handle: this.handle(p),
          name: p.name,
          followers: Math.round(rng.logNormal(300, 1.4)),
        };
      case 'facebook':
        // Page-scoped ids (PSIDs) are opaque digits; the Graph API gives the name.
        return { id: this.numericId(p, 4_000_000_000_000_000), name: p.name };
      case 'whatsapp':
        return { id: this.phone(p), name: p.first };
      case 'sms':
      case 'voice': {
        const phone =
          p.identities.sms?.id ??
          p.identities.voice?.id ??
          p.identities.whatsapp?.id ??
          this.phone(p);
        // Twilio passes the number's registered place (FromCity, FromState, FromZip).
        const loc = rng.chance(0.6)
          ? `${p.metro.city.toUpperCase()}, ${p.metro.state}${rng.chance(0.5) ? ` ${p.home.postalCode}` : ''}`
          : undefined;
        return {
          id: phone,
          ...optional('location', loc),
          ...(channel === 'voice' && rng.chance(0.5) ? { name: p.name } : {}),
        };
      }
      case 'email':
        return { id: this.email(p), name: p.name };
      case 'webchat':
        return {
          id: `wc-${this.runTag.toString(36)}-${Number(p.key.slice(1)).toString(36)}${rng.int(100, 999)}`,
          ...(rng.chance(0.7) ? { name: rng.chance(0.5) ? p.first : p.name } : {}),
          ...optional(
            'location',
            rng.chance(0.5) ? `${p.metro.city}, ${p.metro.stateName}, US` : undefined,
          ),
        };
      case 'api':
        // The company's own app or IVR forwards contacts through the API with the account number.
        return { id: `acct-${p.accountNo}`, name: p.name };
    }
  }

  private handle(p: Person): string {
    const rng = this.rng;
    for (;;) {
      const f = p.first.toLowerCase();
      const l = p.last.toLowerCase();
      const h = rng.pick([
        `${f}${l}`,
        `${f}_${l}`,
        `${f}${l[0]}${rng.int(1, 99)}`,
        `${f[0]}${l}${rng.int(70, 99)}`,
        `real${p.first}${p.last[0]}`,
        `${f}.${l}${rng.int(1, 999)}`.replace('.', '_'),
        `its${f}${rng.int(1, 9999)}`,
        `${l}${f[0]}_`,
      ]);
      if (!this.usedHandles.has(h)) {
        this.usedHandles.add(h);
        return h;
      }
    }
  }

  private email(p: Person): string {
    const rng = this.rng;
    for (;;) {
      const f = p.first.toLowerCase();
      const l = p.last.toLowerCase();
      const local = rng.pick([
        `${f}.${l}`,
        `${f}${l}`,
        `${f[0]}${l}`,
        `${f}.${l}${rng.int(1, 99)}`,
        `${f}${rng.int(70, 2005)}`,
      ]);
      const e = `${local}@${rng.pick(EMAIL_DOMAINS)}`;
      if (!this.usedEmails.has(e)) {
        this.usedEmails.add(e);
        return e;
      }
    }
  }

  private phone(p: Person): string {
    for (;;) {
      const e164 = `+1${this.rng.pick(p.metro.areaCodes)}555${String(this.rng.int(0, 9999)).padStart(4, '0')}`;
      if (!this.usedPhones.has(e164)) {
        this.usedPhones.add(e164);
        return e164;
      }
    }
  }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: string });
}

/** Free-text X profile location: what people really type, often vague, often empty. */
function xLocation(rng: Rng, p: Person): string | undefined {
  const { metro, home } = p;
  return rng.weighted<string | undefined>([
    [undefined, 0.25],
    [`${metro.city}, ${metro.state}`, 0.25],
    [metro.city, 0.12],
    [`${metro.city}, ${metro.stateName}`, 0.08],
    [rng.pick(metro.nicknames), 0.12],
    [`${metro.city} ${home.postalCode}`, 0.05],
    [home.postalCode ?? undefined, 0.03],
    [metro.stateName, 0.05],
    [`${rng.pick(['🏠 ', '📍 ', ''])}${metro.city}`, 0.05],
  ]);
}
