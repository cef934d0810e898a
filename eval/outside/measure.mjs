// Scores the detector's problems against the injected truth.
//   QA_DB=main node measure.mjs [scenario...] [-v]      (no names: every dumped scenario)
// Definitions (see README.md beside this file):
//  found (loose): a problem detected during the incident [start, end] whose area is nested in or
//    around the incident's area and whose topic is related (network~outage, billing~account);
//    a problem without topic or without area qualifies only when it holds one of the
//    incident's complaints.
//  found (issue): a loose find whose topic is exactly the incident's (a new kind of trouble: a text
//    cluster, or topic null/other): issue 6's "a problem of the right topic/area opened during the
//    incident". For a new kind, loose takes any topic of a problem holding its complaints.
//  found (own level): as issue, and the problem's area names the incident's place at the
//    incident's own level (a country-wide trouble: no region, city or ZIP).
//  false problem: no incident's complaints make the majority of its linked cases.
//  duplicates: problems beyond the first whose majority is the same incident.
//  delay: first loose-finding problem's detectedAt minus the incident's 5th complaint.
//  linking F1: pairwise over complaint messages; truth cluster = incident, predicted = problem.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CITIES, STATES } from './lib/places.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DB = process.env.QA_DB ?? 'main';
// DRAW=b scores a run of the fresh draw in scenarios-b/ (gen.mjs).
const SCENARIOS = process.env.DRAW ? `scenarios-${process.env.DRAW}` : 'scenarios';
const args = process.argv.slice(2);
const verbose = args.includes('-v');
let names = args.filter((a) => !a.startsWith('-'));
if (names.length === 0) {
  names = readdirSync(join(HERE, 'out', DB))
    .filter((f) => f.endsWith('.problems.json'))
    .map((f) => f.replace('.problems.json', ''))
    .sort();
}

const LEVELS = ['country', 'region', 'city', 'postalCode'];
const FAMILY = { network: 'net', outage: 'net', billing: 'money', account: 'money' };
const related = (a, b) => a === b || (FAMILY[a] && FAMILY[a] === FAMILY[b]);
const emptyArea = (a) => LEVELS.every((l) => !a[l]);
// Place names compared as people write them: case aside, "St." and "Saint" alike (the desk
// shows "Saint Louis" for "St. Louis").
const norm = (x) =>
  String(x)
    .toLowerCase()
    .replace(/\bst\.? /g, 'saint ')
    .trim();
const sameText = (x, y) => norm(x) === norm(y);
/** a ⊇ b: every level a names, b names the same. */
const contains = (a, b) => LEVELS.every((l) => !a[l] || (b[l] && sameText(a[l], b[l])));
const pairs = (n) => (n * (n - 1)) / 2;
// Whether a message says where its customer is (its text or profile names one of our places):
// to split linking recall into complaints with and without a place.
const PLACE_WORDS = new RegExp(
  `\\b(${[...CITIES.flatMap((c) => [c.city, ...c.zips, ...c.nick]), ...Object.values(STATES)].map((w) => w.replace(/[.]/g, '\\.')).join('|')})\\b`,
  'i',
);
const namesPlace = (m) =>
  Boolean(m.author.location && PLACE_WORDS.test(m.author.location)) || PLACE_WORDS.test(m.text);

function quantile(xs, q) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

function score(name) {
  const truth = JSON.parse(readFileSync(join(HERE, SCENARIOS, `${name}.truth.json`), 'utf8'));
  const dumpFile = join(HERE, 'out', DB, `${name}.problems.json`);
  if (!existsSync(dumpFile)) return null;
  const dump = JSON.parse(readFileSync(dumpFile, 'utf8'));
  // Truth of every message, and each incident's complaints in time order.
  const byExt = new Map();
  const complaintTimes = new Map();
  const placed = new Map(); // externalId -> names a place (incident complaints only)
  for (const l of readFileSync(join(HERE, SCENARIOS, `${name}.jsonl`), 'utf8').split('\n')) {
    if (!l) continue;
    const m = JSON.parse(l);
    byExt.set(m.externalId, m.truth);
    if (m.truth.incident && m.truth.complaint) {
      if (!complaintTimes.has(m.truth.incident)) complaintTimes.set(m.truth.incident, []);
      complaintTimes.get(m.truth.incident).push(Date.parse(m.sentAt));
      placed.set(m.externalId, namesPlace(m));
    }
  }
  const fifth = new Map(
    [...complaintTimes].map(([id, ts]) => [id, ts.sort((a, b) => a - b)[4] ?? null]),
  );

  // Each problem: its cases' labels, majority incident, and which messages it holds.
  const msgProblem = new Map(); // externalId -> problem id (the most recently detected holding it)
  const problems = dump.problems
    .filter((p) => !p.mergedInto)
    .map((p) => {
      const labels = new Map();
      const heldIncidents = new Set();
      const topics = new Map();
      for (const c of p.cases) {
        const votes = new Map();
        for (const ext of c.externalIds) {
          const t = byExt.get(ext);
          if (!t) continue;
          if (t.incident) heldIncidents.add(t.incident);
          if (t.complaint) votes.set(t.incident ?? '-', (votes.get(t.incident ?? '-') ?? 0) + 1);
          if (!t.incident) topics.set(t.topic, (topics.get(t.topic) ?? 0) + 1);
          const prev = msgProblem.get(ext);
          if (!prev || Date.parse(prev.detectedAt) < Date.parse(p.detectedAt))
            msgProblem.set(ext, p);
        }
        const top = [...votes].sort((a, b) => b[1] - a[1])[0];
        const label = top && top[0] !== '-' ? top[0] : null;
        labels.set(label, (labels.get(label) ?? 0) + 1);
      }
      const ranked = [...labels].filter(([k]) => k).sort((a, b) => b[1] - a[1]);
      const majority = ranked[0] && ranked[0][1] * 2 > p.cases.length ? ranked[0][0] : null;
      return {
        ...p,
        majority,
        share: ranked[0] ? ranked[0][1] / Math.max(1, p.cases.length) : 0,
        heldIncidents,
        bgTopics: topics,
      };
    });

  const incidents = truth.incidents.map((inc) => {
    const s = Date.parse(inc.start);
    const e = Date.parse(inc.end);
    const during = problems.filter(
      (p) => Date.parse(p.detectedAt) >= s && Date.parse(p.detectedAt) <= e,
    );
    const loose = during.filter((p) => {
      const holds = p.heldIncidents.has(inc.id);
      // A new kind of trouble has no right topic: any label will do when it holds its complaints.
      const topicOk = p.topic === null || inc.novel ? holds : related(p.topic, inc.topic);
      const areaOk = emptyArea(p.area)
        ? holds
        : contains(p.area, inc.area) || contains(inc.area, p.area);
      return topicOk && areaOk;
    });
    // A new kind of trouble is rightly found by a text cluster (whatever topic it shows) or as other.
    const topicExact = (p) =>
      inc.novel
        ? p.kind === 'text' || p.topic === null || p.topic === 'other'
        : p.topic === inc.topic;
    // Issue 6's recall as written: right topic, area nested in or around the incident's.
    const issue = loose.filter(topicExact);
    // Stricter: the problem names the incident's place at the incident's own level.
    const own = during.filter((p) => {
      if (!topicExact(p)) return false;
      if (inc.level === 'country') return !p.area.region && !p.area.city && !p.area.postalCode;
      const upTo = LEVELS.slice(0, LEVELS.indexOf(inc.level) + 1);
      return upTo.every((l) => p.area[l] && sameText(p.area[l], inc.area[l]));
    });
    const owned = problems.filter((p) => p.majority === inc.id);
    const first = [...loose].sort((a, b) => Date.parse(a.detectedAt) - Date.parse(b.detectedAt))[0];
    const firstIssue = [...issue].sort(
      (a, b) => Date.parse(a.detectedAt) - Date.parse(b.detectedAt),
    )[0];
    const f5 = fifth.get(inc.id);
    // How many of its complaints ended in the problem holding most of them.
    const link = { placed: 0, placedAll: 0, bare: 0, bareAll: 0 };
    const best = owned.sort((a, b) => b.cases.length - a.cases.length)[0];
    for (const [ext, hasPlace] of placed) {
      if (byExt.get(ext).incident !== inc.id) continue;
      const inBest = best && msgProblem.get(ext)?.id === best.id;
      if (hasPlace) {
        link.placedAll++;
        if (inBest) link.placed++;
      } else {
        link.bareAll++;
        if (inBest) link.bare++;
      }
    }
    return {
      inc,
      loose,
      issue,
      own,
      owned,
      link,
      delay: first && f5 ? (Date.parse(first.detectedAt) - f5) / 60000 : null,
      delayIssue: firstIssue && f5 ? (Date.parse(firstIssue.detectedAt) - f5) / 60000 : null,
    };
  });

  const falseProblems = problems.filter((p) => !p.majority);
  // Pairwise linking over complaint messages.
  const cells = new Map();
  const perInc = new Map();
  const perProb = new Map();
  for (const [ext, t] of byExt) {
    if (!t.complaint) continue;
    const p = msgProblem.get(ext);
    if (t.incident) perInc.set(t.incident, (perInc.get(t.incident) ?? 0) + 1);
    if (p) perProb.set(p.id, (perProb.get(p.id) ?? 0) + 1);
    if (t.incident && p)
      cells.set(`${t.incident}|${p.id}`, (cells.get(`${t.incident}|${p.id}`) ?? 0) + 1);
  }
  const sum = (m) => [...m.values()].reduce((a, n) => a + pairs(n), 0);
  return {
    name,
    truth,
    dump,
    problems,
    incidents,
    falseProblems,
    tp: sum(cells),
    truePairs: sum(perInc),
    predPairs: sum(perProb),
  };
}

const pct = (a, b) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(0)}%`);
const f1of = (r) => {
  const p = r.predPairs ? r.tp / r.predPairs : 0;
  const rc = r.truePairs ? r.tp / r.truePairs : 0;
  return { p, r: rc, f1: p + rc ? (2 * p * rc) / (p + rc) : 0 };
};
const fmt = (x) => (x === null || x === undefined ? '—' : x.toFixed(1));
const row = (cells, widths) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' ');
const W = [15, 4, 8, 8, 8, 7, 6, 9, 4, 8, 8, 17];
console.log(`QA_DB=${DB}`);
console.log(
  row(
    [
      'scenario',
      'inc',
      'loose',
      'issue',
      'own lvl',
      'caught',
      'false',
      'false/wk',
      'dup',
      'med min',
      'p90 min',
      'F1 (P/R)',
    ],
    W,
  ),
);
const total = {
  inc: 0,
  loose: 0,
  issue: 0,
  own: 0,
  caught: 0,
  fp: 0,
  weeks: 0,
  dup: 0,
  delays: [],
  tp: 0,
  truePairs: 0,
  predPairs: 0,
};
const results = [];
for (const name of names) {
  const r = score(name);
  if (!r) {
    console.log(row([name, 'no dump'], W));
    continue;
  }
  results.push(r);
  const loose = r.incidents.filter((i) => i.loose.length > 0).length;
  const issue = r.incidents.filter((i) => i.issue.length > 0).length;
  const own = r.incidents.filter((i) => i.own.length > 0).length;
  const caught = r.incidents.filter((i) => i.owned.length > 0).length;
  const dup = r.incidents.reduce((a, i) => a + Math.max(0, i.owned.length - 1), 0);
  const delays = r.incidents.map((i) => i.delay).filter((d) => d !== null);
  const f = f1of(r);
  console.log(
    row(
      [
        name,
        r.incidents.length,
        `${loose} ${pct(loose, r.incidents.length)}`,
        `${issue} ${pct(issue, r.incidents.length)}`,
        `${own} ${pct(own, r.incidents.length)}`,
        caught,
        r.falseProblems.length,
        (r.falseProblems.length / r.truth.weeks).toFixed(2),
        dup,
        fmt(quantile(delays, 0.5)),
        fmt(quantile(delays, 0.9)),
        r.truePairs
          ? `${f.f1.toFixed(2)} (${f.p.toFixed(2)}/${f.r.toFixed(2)})`
          : `— (P pairs ${r.predPairs})`,
      ],
      W,
    ),
  );
  Object.assign(total, {
    inc: total.inc + r.incidents.length,
    loose: total.loose + loose,
    issue: total.issue + issue,
    own: total.own + own,
    caught: total.caught + caught,
    fp: total.fp + r.falseProblems.length,
    weeks: total.weeks + r.truth.weeks,
    dup: total.dup + dup,
    tp: total.tp + r.tp,
    truePairs: total.truePairs + r.truePairs,
    predPairs: total.predPairs + r.predPairs,
  });
  total.delays.push(...delays);
}
const tf = f1of(total);
console.log(
  row(
    [
      'TOTAL',
      total.inc,
      `${total.loose} ${pct(total.loose, total.inc)}`,
      `${total.issue} ${pct(total.issue, total.inc)}`,
      `${total.own} ${pct(total.own, total.inc)}`,
      total.caught,
      total.fp,
      (total.fp / Math.max(total.weeks, 1e-9)).toFixed(2),
      total.dup,
      fmt(quantile(total.delays, 0.5)),
      fmt(quantile(total.delays, 0.9)),
      `${tf.f1.toFixed(2)} (${tf.p.toFixed(2)}/${tf.r.toFixed(2)})`,
    ],
    W,
  ),
);
console.log(
  `simulated weeks: ${total.weeks.toFixed(1)}; caught = some problem holds a majority of its cases from the incident; delays (loose) in minutes after the 5th complaint`,
);
const L = results
  .flatMap((r) => r.incidents.map((i) => i.link))
  .reduce(
    (a, k) => ({
      placed: a.placed + k.placed,
      placedAll: a.placedAll + k.placedAll,
      bare: a.bare + k.bare,
      bareAll: a.bareAll + k.bareAll,
    }),
    { placed: 0, placedAll: 0, bare: 0, bareAll: 0 },
  );
console.log(
  `incident complaints in the problem holding most of them: naming a place ${pct(L.placed, L.placedAll)} (${L.placed}/${L.placedAll}), naming none ${pct(L.bare, L.bareAll)} (${L.bare}/${L.bareAll})`,
);

if (verbose) {
  for (const r of results) {
    console.log(`\n## ${r.name} (commit ${r.dump.commit})`);
    for (const i of r.incidents) {
      const a = i.inc.area;
      const where = a.postalCode ?? a.city ?? a.region ?? a.country;
      const mark = i.own.length
        ? 'OWN'
        : i.issue.length
          ? 'FOUND'
          : i.loose.length
            ? 'loose'
            : i.owned.length
              ? 'label'
              : 'MISSED';
      const k = i.link;
      console.log(
        `${mark.padEnd(6)} ${i.inc.id} ${i.inc.novel ?? i.inc.topic}/${i.inc.level} ${where} ${i.inc.start.slice(5, 16)} ${Math.round((Date.parse(i.inc.end) - Date.parse(i.inc.start)) / 60000)}min ${i.inc.customers}cust delay ${fmt(i.delay)} min; linked: with place ${k.placed}/${k.placedAll}, no place ${k.bare}/${k.bareAll}`,
      );
      const shown = new Set([...i.loose, ...i.own, ...i.owned]);
      for (const p of shown)
        console.log(
          `         #${p.number} ${describe(p)}${p.majority === i.inc.id ? ` majority ${(p.share * 100).toFixed(0)}%` : ''}`,
        );
    }
    for (const p of r.falseProblems) {
      const bg = [...p.bgTopics]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([t, n]) => `${t}:${n}`)
        .join(',');
      console.log(
        `FALSE  #${p.number} ${describe(p)} bg[${bg}] incidents[${[...p.heldIncidents].join(',')}]`,
      );
    }
  }
}

function describe(p) {
  const a = p.area;
  const where = [a.postalCode, a.city, a.region, a.country].filter(Boolean).join(' ') || 'no area';
  return `${p.kind}/${p.topic ?? 'none'} ${where} at ${p.detectedAt.slice(5, 16)} ${p.status} ${p.cases.length} cases "${p.title.slice(0, 60)}"`;
}
