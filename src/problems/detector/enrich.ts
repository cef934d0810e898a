import { usNamesake } from '../../triage/area.js';
import type { Area } from '../../triage/index.js';
import { areaAtLevel, areaChain } from './areas.js';

/** Placed messages, and the share of them in the US, before the desk counts as a US desk. */
const HOME_MIN_PLACED = 50;
const HOME_MIN_SHARE = 0.9;
/**
 * Triage's confidence in a place named alone ("in Birmingham", "#Birmingham"; 0.5) or taken from
 * a profile (lower): one named with its country ("Birmingham, UK") has more.
 */
const ALONE_CONFIDENCE = 0.5;

/** Where an inferred area came from (the message itself needs no inference). */
export type AreaSource = 'message' | 'case' | 'customer' | 'phone';

const MAX_REMEMBERED = 200_000;

/**
 * Fills in the area of a complaint that names none, from what the installation already knows:
 * an earlier message of the same case ("it's in 94110"), the customer's earlier messages or
 * profile location, and — learned from this installation's own traffic, no table shipped — the
 * usual place of the phone numbers of one NANP area code (Twilio passes the registered city of
 * many callers; those teach where the others with the same area code live). Event-time order
 * only, so live and replay agree. Bounded: the oldest memories are forgotten first.
 */
export class AreaMemory {
  private readonly customers = new Map<string, Area>();
  private readonly cases = new Map<string, Area>();
  private readonly prefixes = new Map<
    string,
    { total: number; cities: Map<string, { n: number; area: Area }> }
  >();
  private readonly voted = new Set<string>();
  /** Messages whose own text or profile named a place, and how many of those in the US. */
  private placed = 0;
  private placedInUs = 0;

  constructor(
    private readonly opts: { phoneMinVotes: number; phoneMinShare: number } = {
      phoneMinVotes: 5,
      phoneMinShare: 0.6,
    },
  ) {}

  /** Learns from one inbound message whose own text or profile named a place. */
  learn(customerId: string, caseId: string | null, address: string | null, area: Area): void {
    this.placed++;
    if (area.country === 'US') this.placedInUs++;
    remember(this.customers, customerId, area);
    if (caseId) remember(this.cases, caseId, area);
    const prefix = phonePrefix(address);
    if (!prefix || !area.city) return;
    const voter = `${prefix}|${customerId}`;
    if (this.voted.has(voter)) return;
    if (this.voted.size > MAX_REMEMBERED) this.voted.clear();
    this.voted.add(voter);
    const city = areaChain(area).find((k) => k.startsWith('t:'));
    if (!city) return;
    let p = this.prefixes.get(prefix);
    if (!p) {
      p = { total: 0, cities: new Map() };
      this.prefixes.set(prefix, p);
    }
    p.total++;
    const c = p.cities.get(city) ?? { n: 0, area: { ...areaAtLevel(area, city), confidence: 0.5 } };
    c.n++;
    p.cities.set(city, c);
  }

  /**
   * A large place abroad named alone, read where the customer or the desk is: a customer known
   * to be in the US, or a desk whose placed traffic is (HOME_MIN_SHARE of at least
   * HOME_MIN_PLACED), means its large US namesake by "Birmingham" (Alabama's, not England's).
   * Triage reads the author's profile for this; most messages have none, and a complaint of a
   * Birmingham, Alabama outage counted in England is one its problem never sees.
   */
  atHome(customerId: string, area: Area): Area {
    if (area.country === 'US' || !area.city || area.confidence > ALONE_CONFIDENCE) return area;
    const known = this.customers.get(customerId);
    const usDesk =
      this.placed >= HOME_MIN_PLACED && this.placedInUs / this.placed >= HOME_MIN_SHARE;
    const home = known ? known.country === 'US' : usDesk;
    return (home && usNamesake(area, true)) || area;
  }

  /** The best known area for a message that names none, or null. */
  resolve(
    customerId: string,
    caseId: string | null,
    address: string | null,
  ): { area: Area; source: AreaSource } | null {
    const byCase = caseId ? this.cases.get(caseId) : undefined;
    if (byCase) return { area: byCase, source: 'case' };
    const byCustomer = this.customers.get(customerId);
    if (byCustomer) return { area: byCustomer, source: 'customer' };
    const prefix = phonePrefix(address);
    const p = prefix ? this.prefixes.get(prefix) : undefined;
    if (!p || p.total < this.opts.phoneMinVotes) return null;
    let best: { n: number; area: Area } | null = null;
    for (const c of p.cities.values()) if (!best || c.n > best.n) best = c;
    if (best && best.n / p.total >= this.opts.phoneMinShare)
      return { area: best.area, source: 'phone' };
    return null;
  }
}

function remember(map: Map<string, Area>, key: string, area: Area) {
  map.delete(key);
  map.set(key, area);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as string);
}

/** `+1415` for a North American number (the area code is geographic); null otherwise. */
export function phonePrefix(address: string | null | undefined): string | null {
  if (!address) return null;
  const m = /^\+1([2-9]\d{2})\d{7}$/.exec(address);
  return m ? `+1${m[1]}` : null;
}
