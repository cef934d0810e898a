// Outside evaluation set for the problem detector (issue 6): writes scenarios/<name>.jsonl
// (inbound messages in event-time order, each with its `truth`) and scenarios/<name>.truth.json
// (the injected incidents). Reproducible: every draw comes from a generator seeded by name.
//   node gen.mjs            all scenarios
//   node gen.mjs low mid-1  only these
//   DRAW=b node gen.mjs     a fresh draw of the same set into scenarios-b/ (new incidents,
//                           places, sizes and background; never tuned on)

import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resetMessageSerial } from './lib/compose.mjs';
import { NOVEL } from './lib/incident-texts.mjs';
import { incident, resetFlip } from './lib/incidents.mjs';
import { resetCustomerSerial } from './lib/people.mjs';
import { CITIES, cityByName, MULTI_CITY_STATES, pickCity } from './lib/places.mjs';
import { makeRng } from './lib/prng.mjs';
import { background } from './lib/traffic.mjs';

/** Per-file counters start afresh, so one file comes out the same alone or in the whole set. */
function resetSerials() {
  resetCustomerSerial();
  resetMessageSerial();
  resetFlip();
}

const HERE = dirname(fileURLToPath(import.meta.url));
const DRAW = process.env.DRAW ?? '';
const OUT = join(HERE, DRAW ? `scenarios-${DRAW}` : 'scenarios');
const seedOf = (name) => (DRAW ? `qa3/${DRAW}/${name}` : `qa3/${name}`);
const HOUR = 3600_000;
const DAY = 24 * HOUR;

// Desk sizes: contacts per weekday. The biggest file stays under ~150k lines.
const LOW = 260;
const MID = 2600;
const HIGH = 12000;

/** The set. `incidents(rng, startMs)` returns incident specs for the scenario. */
const SCENARIOS = {
  low: {
    start: '2025-02-03',
    days: 12,
    daily: LOW,
    swing: 0.15,
    incidents: (r, s) => randomMany(r, s, 12, 5, { maxSize: 70, minSize: 8 }),
  },
  'high-swing': {
    start: '2025-03-10',
    days: 8,
    daily: HIGH,
    swing: 0.3,
    incidents: (r, s) => randomMany(r, s, 8, 7, { maxSize: 2000, minSize: 20, big: 2000 }),
  },
  'high-steady': {
    start: '2025-04-14',
    days: 8,
    daily: HIGH,
    swing: 0,
    incidents: (r, s) => randomMany(r, s, 8, 7, { maxSize: 1500, minSize: 15, big: 1200 }),
  },
  cold: { start: '2025-05-05', days: 5, daily: MID, swing: 0.1, incidents: coldStart },
  overlap: { start: '2025-06-02', days: 9, daily: MID, swing: 0.1, incidents: overlapping },
  returning: { start: '2025-07-07', days: 10, daily: MID, swing: 0.1, incidents: returning },
  'mid-1': {
    start: '2025-08-04',
    days: 12,
    daily: MID,
    swing: 0.15,
    incidents: (r, s) => randomMany(r, s, 12, 8, { maxSize: 600, minSize: 8 }),
  },
  'mid-2': {
    start: '2025-09-08',
    days: 12,
    daily: MID,
    swing: 0.15,
    incidents: (r, s) => randomMany(r, s, 12, 8, { maxSize: 600, minSize: 8 }),
  },
  'mid-3': {
    start: '2025-10-13',
    days: 12,
    daily: MID,
    swing: 0.15,
    incidents: (r, s) => randomMany(r, s, 12, 8, { maxSize: 600, minSize: 8 }),
  },
  'control-swing': { start: '2025-11-03', days: 12, daily: MID, swing: 0.3, incidents: () => [] },
  'control-steady': { start: '2025-12-01', days: 12, daily: MID, swing: 0, incidents: () => [] },
};

const TOPIC_MIX = [
  ['network', 24],
  ['outage', 24],
  ['billing', 10],
  ['device', 9],
  ['account', 8],
  ['service', 5],
  ['delivery', 6],
  ['novel', 14],
];
const LEVELS_LOCAL = [
  ['postalCode', 35],
  ['city', 40],
  ['region', 18],
  ['country', 7],
];
const LEVELS_WIDE = [
  ['country', 55],
  ['region', 25],
  ['city', 20],
];

let serial = 0;
/** One incident spec with its parameters drawn; `fix` pins some of them. */
function draw(rng, startMs, fix = {}) {
  const pick = fix.topic ?? rng.weighted(TOPIC_MIX);
  const novel = pick === 'novel' ? (fix.novel ?? rng.pick(NOVEL).name) : null;
  const topic = novel ? 'other' : pick;
  const local = topic === 'network' || topic === 'outage' || topic === 'delivery';
  let level =
    fix.level ??
    rng.weighted(
      local
        ? LEVELS_LOCAL
        : novel
          ? [
              ['country', 50],
              ['city', 50],
            ]
          : LEVELS_WIDE,
    );
  const city = fix.city ?? (level === 'region' ? regionCity(rng) : pickCity(rng));
  if (level === 'region' && !MULTI_CITY_STATES.includes(city.region)) level = 'city';
  const zip = fix.zip ?? rng.pick(city.zips);
  // Bigger areas carry bigger troubles; a ZIP code rarely has two thousand customers writing.
  const cap = { postalCode: 250, city: 900, region: 2000, country: 2000 }[level];
  const size =
    fix.customers ??
    Math.round(rng.logUniform(fix.minSize ?? 8, Math.min(cap, fix.maxSize ?? 600)));
  return {
    id: `I${String(++serial).padStart(3, '0')}`,
    topic,
    novel,
    kind: fix.kind,
    level,
    city,
    zip,
    startMs: fix.startMs ?? startMs,
    minutes: fix.minutes ?? Math.round(rng.logUniform(20, 20 * 60)),
    customers: Math.max(8, size),
    noPlace: fix.noPlace ?? rng.uniform(0.3, 0.6),
  };
}

function regionCity(rng) {
  const st = rng.pick(MULTI_CITY_STATES);
  return rng.pick(CITIES.filter((c) => c.region === st));
}

/** `count` incidents at random times from day 1.5 to a few hours before the end. */
function randomMany(rng, startMs, days, count, opts) {
  const list = [];
  // The first three are the commonest shared troubles and a new kind, so even a small desk
  // sees each; the rest are drawn from the whole mix.
  const firsts = ['outage', 'network', 'novel'];
  const turn = rng.int(0, 2);
  for (let i = 0; i < count; i++) {
    const at = startMs + Math.floor(rng.uniform(1.5 * DAY, (days - 0.8) * DAY));
    const fix = { ...opts };
    if (i < 3) fix.topic = firsts[(i + turn) % 3];
    if (opts.big && i === 3)
      Object.assign(fix, {
        customers: opts.big,
        level: 'region',
        topic: 'outage',
        minutes: rng.int(300, 900),
      });
    if (i === count - 1 && opts.minSize <= 8) fix.customers = 8;
    list.push(draw(rng, at, fix));
  }
  return list;
}

/** Troubles in the desk's first hours and first day, before any baseline exists. */
function coldStart(rng, startMs) {
  return [
    draw(rng, startMs + 2 * HOUR + rng.int(0, 40) * 60_000, {
      topic: 'outage',
      level: 'city',
      customers: 120,
    }),
    draw(rng, startMs + 3 * HOUR, { topic: 'network', level: 'postalCode', customers: 25 }),
    draw(rng, startMs + 5.5 * HOUR, {
      topic: 'billing',
      level: 'country',
      customers: 300,
      minutes: 240,
    }),
    draw(rng, startMs + 14 * HOUR, { topic: 'network', level: 'city', customers: 60 }),
    draw(rng, startMs + 20 * HOUR, { topic: 'novel', level: 'country', customers: 40 }),
    draw(rng, startMs + 3.2 * DAY, { maxSize: 300 }),
  ];
}

/** Two troubles at once in nearby places, and a local one inside a country-wide one. */
function overlapping(rng, startMs) {
  const t1 = startMs + 2 * DAY + 15 * HOUR;
  const dallas = cityByName('Dallas');
  const sf = cityByName('San Francisco');
  const oak = cityByName('Oakland');
  const t2 = startMs + 4 * DAY + 13 * HOUR;
  const t3 = startMs + 6 * DAY + 10 * HOUR;
  const chi = cityByName('Chicago');
  return [
    draw(rng, t1, {
      topic: 'network',
      level: 'postalCode',
      city: dallas,
      zip: '75201',
      customers: 45,
      minutes: 180,
    }),
    draw(rng, t1 + 25 * 60_000, {
      topic: 'network',
      level: 'postalCode',
      city: dallas,
      zip: '75219',
      customers: 30,
      minutes: 150,
    }),
    draw(rng, t2, { topic: 'outage', level: 'city', city: sf, customers: 150, minutes: 240 }),
    draw(rng, t2 + 40 * 60_000, {
      topic: 'network',
      level: 'city',
      city: oak,
      customers: 70,
      minutes: 200,
    }),
    draw(rng, t3, { topic: 'billing', level: 'country', customers: 600, minutes: 600 }),
    draw(rng, t3 + 3 * HOUR, {
      topic: 'outage',
      level: 'city',
      city: chi,
      customers: 90,
      minutes: 180,
    }),
    draw(rng, t3 + 5 * HOUR, {
      topic: 'novel',
      novel: 'sms-garble',
      level: 'country',
      customers: 60,
      minutes: 300,
    }),
  ];
}

/** The same trouble in the same place twice, 10 to 30 hours apart. */
function returning(rng, startMs) {
  const list = [];
  const plans = [
    { topic: 'outage', level: 'city', city: cityByName('Houston') },
    { topic: 'network', level: 'postalCode', city: cityByName('Denver'), zip: '80205' },
    { topic: 'device', level: 'country', kind: 'gateway-firmware' },
  ];
  plans.forEach((plan, i) => {
    const t = startMs + (2 + i * 2.5) * DAY + rng.int(8, 16) * HOUR;
    const a = draw(rng, t, { ...plan, minutes: rng.int(60, 300), maxSize: 200, minSize: 20 });
    const gap = a.minutes * 60_000 + rng.int(10, 30) * HOUR;
    list.push(
      a,
      draw(rng, t + gap, {
        ...plan,
        city: a.city,
        zip: a.zip,
        minutes: rng.int(60, 300),
        maxSize: 200,
        minSize: 15,
      }),
    );
  });
  return list;
}

async function writeScenario(name, cfg) {
  resetSerials();
  const rng = makeRng(seedOf(name));
  const startMs = Date.parse(`${cfg.start}T06:00:00Z`);
  const specs = cfg.incidents(rng.fork('incidents'), startMs);
  const lines = background(rng.fork('background'), name, {
    startMs,
    days: cfg.days,
    daily: cfg.daily,
    swing: cfg.swing,
  });
  const truths = [];
  for (const spec of specs) {
    const { truth, lines: own } = incident(rng.fork(spec.id), name, spec);
    truths.push(truth);
    lines.push(...own);
  }
  const endMs = startMs + cfg.days * DAY;
  // Event-time order lets replay stream the file; nothing may fall past the scenario's end.
  const kept = lines.filter((l) => l.ms < endMs).sort((a, b) => a.ms - b.ms);
  const file = join(OUT, `${name}.jsonl`);
  await new Promise((resolve, reject) => {
    const w = createWriteStream(file);
    w.on('error', reject);
    for (const l of kept) w.write(`${JSON.stringify(l.msg)}\n`);
    w.end(resolve);
  });
  const meta = {
    scenario: name,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    days: cfg.days,
    weeks: cfg.days / 7,
    daily: cfg.daily,
    swing: cfg.swing,
    lines: kept.length,
    incidents: truths,
  };
  writeFileSync(join(OUT, `${name}.truth.json`), `${JSON.stringify(meta, null, 1)}\n`);
  console.log(`${name}: ${kept.length} lines, ${truths.length} incidents, ${cfg.days} days`);
}

mkdirSync(OUT, { recursive: true });
const wanted = process.argv.slice(2);
// Incident ids run over the whole set in the table's order, so a subset keeps the same ids.
for (const [name, cfg] of Object.entries(SCENARIOS)) {
  if (wanted.length === 0 || wanted.includes(name)) await writeScenario(name, cfg);
  else cfg.incidents(makeRng(seedOf(name)).fork('incidents'), Date.parse(`${cfg.start}T06:00:00Z`));
}
