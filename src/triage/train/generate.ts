/**
 * Expands our hand-written templates (data/triage/templates/*.txt, slot values in
 * data/triage/slots.json) into labelled training sentences. Seeded, so `npm run train` writes the
 * same weights every time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { rng } from '../../platform/random.js';
import { TOPICS, type Topic } from '../types.js';

export interface Example {
  text: string;
  complaint: 0 | 1;
  topic: Topic;
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

const PEOPLE = [
  '@jess_m',
  '@TheRealDan',
  '@kat_writes',
  '@mike84',
  '@sportsfan22',
  '@ana_b',
  '@SenJohnDoe',
  '@nightowl_99',
  '@PaulaReports',
  '@the_daily_tom',
  '@lilyrose',
  '@CoachMartin',
];

export interface Template {
  complaint: 0 | 1;
  topic: Topic;
  text: string;
  /**
   * How the sentence is addressed: `brand` (usually to a company handle), `chatter` (an everyday
   * post, sometimes to a person), `reply` (almost always a reply to a person) or `news` (a shared
   * link or headline, which nearly always carries its URL).
   */
  kind: 'brand' | 'chatter' | 'reply' | 'news';
  /**
   * Sentences of a `*.topic.txt` file teach the topic model only: the complaint model and its
   * threshold never see them. Written telecom complaints lowered the complaint AUC on real tweets
   * every time they were tried (data/triage/README.md), while the topic model needs them.
   */
  topicOnly: boolean;
}

// Files of everyday posts, not addressed to a company; every other file is care traffic.
const KIND_BY_FILE: Record<string, Template['kind']> = {
  'chatter.txt': 'chatter',
  'random.txt': 'chatter',
  'replies.txt': 'reply',
  'news.txt': 'news',
};

export function readTemplates(dir: URL): Template[] {
  const out: Template[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.txt')) continue;
    const lines = readFileSync(new URL(name, dir), 'utf8').split('\n');
    lines.forEach((line, n) => {
      if (!line.trim() || line.startsWith('#')) return;
      const m = /^([CN]) (\w+) (.+)$/.exec(line);
      if (!m || !(TOPICS as readonly string[]).includes(m[2])) {
        throw new Error(`${name}:${n + 1}: expected "C|N <topic> <text>"`);
      }
      out.push({
        complaint: m[1] === 'C' ? 1 : 0,
        topic: m[2] as Topic,
        text: m[3],
        kind: KIND_BY_FILE[name] ?? 'brand',
        topicOnly: name.endsWith('.topic.txt'),
      });
    });
  }
  return out;
}

export function expand(
  templates: readonly Template[],
  slots: Record<string, string[]>,
  variants: number,
  seed: number,
): Example[] {
  const rand = rng(seed);
  const out: Example[] = [];
  for (const t of templates) {
    const seen = new Set<string>();
    for (let v = 0; v < variants; v++) {
      let text = t.text.replace(/\{(\w+)\}/g, (_m, slot: string) => {
        const values = slots[slot];
        if (!values) throw new Error(`unknown slot {${slot}} in "${t.text}"`);
        return pick(rand, values);
      });
      const r = rand();
      if (t.kind === 'reply') {
        if (r < 0.85) text = `${pick(rand, PEOPLE)} ${text}`;
        if (r < 0.25) text = `${pick(rand, PEOPLE)} ${text}`;
      } else if (t.kind === 'chatter') {
        if (r < 0.3) text = `${pick(rand, PEOPLE)} ${text}`;
      } else if (t.kind === 'news') {
        if (r < 0.1) text = `${pick(rand, PEOPLE)} ${text}`;
      } else if (r < 0.7) text = `${pick(rand, slots.brand)} ${text}`;
      else if (r < 0.8) text = `${text} ${pick(rand, slots.brand)}`;
      const d = rand();
      if (t.kind === 'news' && d < 0.8) text = `${text} ${pick(rand, slots.url)}`;
      else if (d < 0.1) text = `${text} ${pick(rand, slots.url)}`;
      else if (d < 0.18) text = `${text} ${pick(rand, slots.tag)}`;
      else if (d < 0.24) text = `${text}!!`;
      const c = rand();
      if (c < 0.3) text = text.toLowerCase();
      else if (c < 0.33 && t.complaint) text = text.toUpperCase();
      else
        text = text.replace(
          /^(@\w+ )?([a-z])/,
          (_m, at: string | undefined, ch: string) => `${at ?? ''}${ch.toUpperCase()}`,
        );
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, complaint: t.complaint, topic: t.topic });
    }
  }
  return out;
}
