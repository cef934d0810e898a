/**
 * Area extraction on real tweets labelled by us (labels/area-real.csv, rules in labels/README.md):
 * the texts come from complaints-acl2019 and the twcs telecom threads at run time. The tweets are
 * split in two halves by a hash of their id: "dev" is the half whose failures we looked at while
 * improving the area extractor (src/triage/area*.ts), "test" the half we did not; both are
 * printed, and only the dev half's failures are listed.
 */
import { readFileSync } from 'node:fs';
import { hashFeature } from '../../src/triage/features.js';
import type { Triage } from '../../src/triage/index.js';
import type { Area } from '../../src/triage/types.js';
import {
  type AreaScore,
  FIELDS,
  type GoldArea,
  OUTCOMES,
  outcomeOf,
  scoreAreas,
} from './area-score.js';
import { readSharedCsv } from './data.js';

interface LabelledArea {
  source: 'acl' | 'twcs';
  id: string;
  group: string;
  gold: GoldArea;
  text: string;
  half: 'dev' | 'test';
}

export function loadAreaTweets(): LabelledArea[] | string {
  const acl = readSharedCsv('complaints-acl2019/complaints-data.csv', { columns: false });
  if ('skip' in acl) return acl.skip;
  const twcs = readSharedCsv('twcs/twcs_first5000_telecom_threads.csv', { columns: true });
  if ('skip' in twcs) return twcs.skip;
  const texts = new Map<string, string>();
  for (const [id, text] of acl.rows as string[][]) texts.set(`acl:${id}`, text);
  for (const row of twcs.rows as Record<string, string>[])
    texts.set(`twcs:${row.tweet_id}`, row.text);
  const lines = readFileSync(new URL('labels/area-real.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const out: LabelledArea[] = [];
  for (const line of lines) {
    const [source, id, group, postalCode, city, region, country] = line.split(',');
    const text = texts.get(`${source}:${id}`);
    if (text === undefined) continue;
    out.push({
      source: source as 'acl' | 'twcs',
      id,
      group,
      gold: { postalCode, city, region, country },
      text,
      half: hashFeature(`area:${source}:${id}`) % 2 === 0 ? 'dev' : 'test',
    });
  }
  return out;
}

export function reportRealArea(triage: Triage): void {
  const tweets = loadAreaTweets();
  console.log(
    '\n== Area extraction: real tweets labelled by us (eval/triage/labels/area-real.csv)',
  );
  if (typeof tweets === 'string') {
    console.log(`skipped: ${tweets}`);
    return;
  }
  const results = tweets.map((t) => ({ ...t, got: triage.classify({ text: t.text }).area }));
  for (const half of ['dev', 'test'] as const) {
    const rows = results.filter((r) => r.half === half);
    printScore(half, rows, scoreAreas(rows));
  }
  const failures = results.filter((r) => r.half === 'dev' && outcomeOf(r.gold, r.got) !== 'right');
  console.log(`dev failures (${failures.length}):`);
  for (const f of failures)
    console.log(
      `  ${outcomeOf(f.gold, f.got).padEnd(14)} ${f.source}:${f.id} gold ${goldText(f.gold)} got ${areaText(f.got)} | ${f.text.replace(/\s+/g, ' ').slice(0, 90)}`,
    );
}

function printScore(
  half: string,
  rows: readonly { group: string; gold: GoldArea; got: Area | null }[],
  s: AreaScore,
): void {
  const groups = new Map<string, [number, number]>();
  for (const r of [...rows].sort((a, b) => a.group.localeCompare(b.group))) {
    const g = groups.get(r.group) ?? [0, 0];
    g[0]++;
    if (outcomeOf(r.gold, r.got) === 'right') g[1]++;
    groups.set(r.group, g);
  }
  const { tp, fp, fn } = s.place;
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  console.log(
    `${half}: ${s.n} tweets (${[...groups].map(([g, [n]]) => `${g} ${n}`).join(', ')}); ` +
      `all labelled fields right ${s.outcomes.right}/${s.n} (${pct(s.outcomes.right, s.n)})`,
  );
  console.log(
    `  has a place: precision ${precision.toFixed(3)} (${tp}/${tp + fp}), recall ${recall.toFixed(3)} (${tp}/${tp + fn})`,
  );
  console.log(
    `  field exact match: ${FIELDS.map((f) => `${f} ${s.fields[f].correct}/${s.fields[f].labelled}`).join(', ')}`,
  );
  console.log(
    `  outcomes: ${OUTCOMES.map((o) => `${o} ${s.outcomes[o]}`).join(', ')}; right by group: ${[
      ...groups,
    ]
      .map(([g, [n, ok]]) => `${g} ${ok}/${n}`)
      .join(', ')}`,
  );
}

function pct(a: number, b: number): string {
  return `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
}

function goldText(g: GoldArea): string {
  return FIELDS.some((f) => g[f]) ? `[${g.postalCode}|${g.city}|${g.region}|${g.country}]` : 'none';
}

function areaText(a: Area | null): string {
  return a
    ? `[${a.postalCode ?? ''}|${a.city ?? ''}|${a.region ?? ''}|${a.country ?? ''}]`
    : 'none';
}
