// Background traffic of the desk: a daily rhythm in US local time (quiet nights, busy days,
// slower weekends), per-day swings or a steady Poisson flow, customers who come back, and
// complaints of every kind scattered over the country with about half naming no place.

import { compose, line } from './compose.mjs';
import { CHANNEL_MIX, newCustomer, withProfileLocation } from './people.mjs';
import { CITIES, pickCity, placePhrase } from './places.mjs';
import { BACKGROUND, NON_COMPLAINT } from './texts.mjs';

// Share of a day's contacts per local hour (0 = midnight), US Central.
export const HOUR_SHAPE = [
  0.22, 0.14, 0.09, 0.07, 0.07, 0.11, 0.28, 0.55, 0.9, 1.15, 1.25, 1.25, 1.2, 1.18, 1.12, 1.1, 1.05,
  1.0, 0.95, 0.92, 0.85, 0.72, 0.55, 0.36,
];
const SHAPE_SUM = HOUR_SHAPE.reduce((a, b) => a + b, 0);
const LOCAL_OFFSET_H = -6;
const WEEKDAY_FACTOR = [0.68, 1.0, 1.04, 1.02, 1.0, 0.95, 0.74]; // Sun..Sat
const HOUR = 3600_000;

export const localHour = (ms) => new Date(ms + LOCAL_OFFSET_H * HOUR).getUTCHours();
const localDay = (ms) => new Date(ms + LOCAL_OFFSET_H * HOUR).getUTCDay();
/** How busy the desk is at this moment, relative to its busiest hour (for thinning). */
export const busyness = (ms) => HOUR_SHAPE[localHour(ms)] / 1.25;

const COMPLAINT_TOPICS = [
  ['billing', 22],
  ['device', 14],
  ['account', 12],
  ['delivery', 8],
  ['network', 16],
  ['outage', 9],
  ['service', 13],
  ['other', 6],
];
const KINDS = [
  ['complaint', 62],
  ['question', 16],
  ['thanks', 8],
  ['praise', 7],
  ['chatter', 4],
];
// Repeat contacts: some generic, most about what they wrote before (people say what is still wrong).
const ANY_UPDATE = [
  'any update on this?',
  'following up again',
  'hello? still waiting',
  'it has been a day, nothing',
  'still having the same issue I wrote about',
  'I wrote yesterday and nobody replied',
  'ticket number?',
  'can someone get back to me please',
  'third time writing about this',
  'no reply yet?',
];
const FOLLOW_UP = {
  billing: [
    'still no refund',
    'my bill is still wrong, any news?',
    'the charge is still there',
    'did anyone look at my bill yet',
    'still waiting on that credit',
  ],
  device: [
    'phone still doing the same thing',
    'the device is still broken',
    'still no fix for my phone',
    'tried the reset you suggested, no change',
  ],
  account: [
    'still locked out',
    'still cant get into my account',
    'the account issue is not fixed',
    'app still logs me out',
  ],
  delivery: [
    'still no package',
    'order still not here',
    'tracking still hasnt moved',
    'still waiting on the delivery',
  ],
  network: [
    'signal is still bad',
    'still dropping calls',
    'data still slow, any update?',
    'coverage still terrible at my place',
  ],
  outage: [
    'internet is still out at my house',
    'still no service at home',
    'still down here, any eta?',
  ],
  service: ['still no callback', 'nobody called me back', 'still waiting on a supervisor'],
  other: ['still getting those texts', 'still not sorted'],
};

/**
 * Background lines for [startMs, startMs + days). `daily` is the mean contacts per weekday;
 * `swing` the ± share a day may differ from it (0: steady, pure Poisson).
 */
export function background(rng, scenario, { startMs, days, daily, swing }) {
  const out = [];
  const recent = []; // customers who wrote lately, some write again
  for (let d = 0; d < days; d++) {
    const dayFactor = swing > 0 ? 1 + rng.uniform(-swing, swing) : 1;
    for (let h = 0; h < 24; h++) {
      const hourStart = startMs + (d * 24 + h) * HOUR;
      const mean =
        (daily *
          WEEKDAY_FACTOR[localDay(hourStart)] *
          dayFactor *
          HOUR_SHAPE[localHour(hourStart)]) /
        SHAPE_SUM;
      const n = rng.poisson(mean);
      for (let i = 0; i < n; i++) {
        const ms = hourStart + Math.floor(rng.next() * HOUR);
        out.push(...contact(rng, scenario, ms, recent));
      }
    }
  }
  return out;
}

function contact(rng, scenario, ms, recent) {
  const kind = rng.weighted(KINDS);
  let customer;
  if (recent.length > 50 && rng.chance(0.2)) customer = rng.pick(recent);
  else {
    const city = pickCity(rng);
    customer = newCustomer(rng, rng.weighted(CHANNEL_MIX), city, `${scenario}-b`);
    if (rng.chance(0.45)) withProfileLocation(rng, customer, rng.chance(0.9) ? city : null);
    recent.push(customer);
    if (recent.length > 400) recent.splice(0, recent.length - 400);
  }
  const lines = [];
  if (kind === 'complaint') {
    const topic = rng.weighted(COMPLAINT_TOPICS);
    const tpl = rng.pick(BACKGROUND[topic]);
    const phrase = rng.chance(0.5)
      ? placePhrase(rng, customer.city, rng.pick(customer.city.zips), 'city')
      : null;
    const body = compose(rng, customer, tpl, phrase, 'complaint', 'angry');
    lines.push(line(rng, scenario, customer, ms, body, { incident: null, complaint: true, topic }));
    // Some come back about it hours later (repeat contacts are ordinary, not a trouble).
    if (rng.chance(0.18)) {
      const later = followUpTime(rng, ms);
      const words = rng.chance(0.35) ? rng.pick(ANY_UPDATE) : rng.pick(FOLLOW_UP[topic]);
      const again = compose(rng, customer, words, null, 'complaint', 'angry');
      lines.push(
        line(rng, scenario, customer, later, again, { incident: null, complaint: true, topic }),
      );
    }
  } else {
    const pool = NON_COMPLAINT[kind];
    const tpl = rng.pick(pool);
    const phrase =
      tpl.includes('{p}') && rng.chance(0.5)
        ? placePhrase(rng, customer.city, rng.pick(customer.city.zips), 'city')
        : null;
    const body = compose(rng, customer, tpl, phrase, kind, kind === 'question' ? 'calm' : 'happy');
    lines.push(
      line(rng, scenario, customer, ms, body, { incident: null, complaint: false, topic: kind }),
    );
  }
  return lines;
}

/** 0.5 to 30 hours later, mostly while people are awake (they follow up when they get to it). */
function followUpTime(rng, ms) {
  let t = ms;
  for (let tries = 0; tries < 12; tries++) {
    t = ms + Math.floor(rng.uniform(0.5, 30) * HOUR);
    if (rng.chance(busyness(t))) return t;
  }
  return t;
}

export { CITIES };
