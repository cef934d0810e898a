// Injected troubles: many customers writing about one root cause in one area and time span,
// most of them early on (reports pile up when a trouble starts), thinned by the time of day
// (fewer people notice at 3 am), followed by "still down" and "back now" from the same people.

import { compose, line } from './compose.mjs';
import { BACK, KINDS, NOVEL, STILL } from './incident-texts.mjs';
import { CHANNEL_MIX, newCustomer, withProfileLocation } from './people.mjs';
import { areaOf, CITIES, pickCity, placePhrase, statePhrase } from './places.mjs';
import { busyness } from './traffic.mjs';

const MIN = 60_000;

/**
 * spec: {id, topic (or 'other' with novel), novel?, level, city, zip, startMs, minutes,
 * customers, noPlace}. Returns {truth, lines}.
 */
export function incident(rng, scenario, spec) {
  const kind = spec.novel ? NOVEL.find((k) => k.name === spec.novel) : pickKind(rng, spec);
  const endMs = spec.startMs + spec.minutes * MIN;
  const area = areaOf(spec.level, spec.city, spec.zip);
  const stateCities = CITIES.filter((c) => c.region === spec.city.region);
  const lines = [];
  let complaints = 0;
  let firstFive = [];
  for (let i = 0; i < spec.customers; i++) {
    const ms = arrival(rng, spec.startMs, spec.minutes);
    // Where this customer is: inside the trouble's area.
    const home =
      spec.level === 'country'
        ? pickCity(rng)
        : spec.level === 'region'
          ? rng.pick(stateCities)
          : spec.city;
    const zip = spec.level === 'postalCode' ? spec.zip : rng.pick(home.zips);
    const customer = newCustomer(rng, rng.weighted(CHANNEL_MIX), home, `${scenario}-${spec.id}-`);
    let phrase = null;
    if (!rng.chance(spec.noPlace)) {
      const onProfile =
        (customer.channel === 'x' || customer.channel === 'facebook') && rng.chance(0.2);
      if (onProfile) withProfileLocation(rng, customer, home);
      else
        phrase =
          spec.level === 'region' && rng.chance(0.4)
            ? statePhrase(rng, home.region)
            : placePhrase(rng, home, zip, spec.level);
    }
    const tpl = rng.pick(kind.lines);
    const body = compose(rng, customer, tpl, phrase, 'complaint', 'angry');
    const first = line(rng, scenario, customer, ms, body, { incident: spec.id, complaint: true });
    lines.push(first);
    complaints++;
    firstFive.push(ms);
    // Follow-ups by the same customer while it lasts, and when it is over.
    if (rng.chance(0.35)) {
      const later = ms + Math.floor(rng.exp(70) * MIN) + 10 * MIN;
      if (later < endMs) {
        const still = compose(rng, customer, rng.pick(STILL), null, 'complaint', 'angry');
        lines.push(
          line(
            rng,
            scenario,
            customer,
            later,
            still,
            { incident: spec.id, complaint: true },
            threadOf(customer, first),
          ),
        );
        complaints++;
      }
    }
    if (rng.chance(0.28)) {
      const after = endMs + Math.floor(rng.exp(50) * MIN) + 2 * MIN;
      const back = compose(rng, customer, rng.pick(BACK), null, 'thanks', 'happy');
      lines.push(
        line(
          rng,
          scenario,
          customer,
          after,
          back,
          { incident: spec.id, complaint: false },
          threadOf(customer, first),
        ),
      );
    }
  }
  firstFive = firstFive.sort((a, b) => a - b);
  const truth = {
    id: spec.id,
    topic: spec.topic,
    novel: spec.novel ?? null,
    kind: kind.name,
    level: spec.level,
    area,
    start: new Date(spec.startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    customers: spec.customers,
    complaints,
    noPlaceShare: spec.noPlace,
    fifthComplaintAt: firstFive.length >= 5 ? new Date(firstFive[4]).toISOString() : null,
  };
  return { truth, lines };
}

function pickKind(rng, spec) {
  const kinds = KINDS[spec.topic];
  if (spec.kind) return kinds.find((k) => k.name === spec.kind) ?? kinds[0];
  return rng.pick(kinds);
}

/**
 * When a customer first writes: front-loaded over the span (u^1.7), and thinned by the hour
 * so that a trouble at night gathers its reports slowly until people wake up.
 */
function arrival(rng, startMs, minutes) {
  let ms = startMs;
  for (let tries = 0; tries < 12; tries++) {
    ms = startMs + Math.floor(rng.next() ** 1.7 * minutes * MIN);
    if (rng.chance(0.25 + 0.75 * busyness(ms))) return ms;
  }
  return ms;
}

/** A follow-up on X answers the customer's own post; other channels thread by themselves. */
function threadOf(customer, first) {
  if (customer.channel !== 'x') return {};
  return rng0() < 0.5
    ? { inReplyTo: first.msg.externalId, conversationId: first.msg.externalId }
    : {};
}
// A fixed alternation instead of a draw, so follow-ups do not shift the generator's stream.
let flip = 0;
export const resetFlip = () => {
  flip = 0;
};
const rng0 = () => (flip = (flip + 0.37) % 1);
