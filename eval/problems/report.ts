/** The printed report of the problems evaluation: one table line per configuration, breakdowns. */
import { type IncidentOutcome, quantile, type RunMetrics } from './metrics.js';
import type { NotifyMetrics } from './notify.js';

export interface Row {
  label: string;
  m: RunMetrics;
  notify?: NotifyMetrics;
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)} %`);

function f1(m: RunMetrics) {
  const p = m.tp / Math.max(1, m.predPairs);
  const r = m.tp / Math.max(1, m.truePairs);
  return { p, r, f1: (2 * p * r) / Math.max(1e-9, p + r) };
}

const COLUMNS: [string, number][] = [
  ['configuration', 26],
  ['found', 20],
  ['recall (topic+area)', 20],
  ['false/wk', 9],
  ['(false, dup)', 13],
  ['delay med', 10],
  ['delay p90', 10],
  ['F1 (P/R)', 20],
  ['notified ≤15 min', 17],
];

export function formatTable(rows: Row[]): string {
  // The label column grows to the longest label (the real-text row's is long).
  const first = Math.max(COLUMNS[0][1], ...rows.map((r) => r.label.length + 1));
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(i === 0 ? first : COLUMNS[i][1])).join(' ');
  const out = [line(COLUMNS.map(([h]) => h))];
  for (const { label, m, notify } of rows) {
    const { p, r, f1: f } = f1(m);
    out.push(
      line([
        label,
        `${pct(m.detected, m.incidents)} (${m.detected}/${m.incidents})`,
        `${pct(m.detectedRightPlace, m.incidents)} (${m.detectedRightPlace}/${m.incidents})`,
        ((m.falseProblems + m.duplicates) / Math.max(1e-9, m.weeks)).toFixed(2),
        `(${m.falseProblems}, ${m.duplicates})`,
        `${quantile(m.delaysMin, 0.5).toFixed(1)} min`,
        `${quantile(m.delaysMin, 0.9).toFixed(1)} min`,
        `${f.toFixed(3)} (${p.toFixed(2)}/${r.toFixed(2)})`,
        // Two decimals: a few unreachable customers of thousands must not round to 100 %.
        notify
          ? `${((100 * notify.within15) / Math.max(1, notify.customers)).toFixed(2)} %`
          : 'n/a',
      ]),
    );
  }
  out.push(
    "recall (topic+area), as issue 6 defines it: a problem of the incident's topic (any, for trouble no topic",
    'names) and of its area or one nested in or around it, opened while it went on. found: also a problem made',
    'mostly of its complaints but labelled with another topic or place. The breakdown below counts found.',
  );
  return out.join('\n');
}

const SIZE_BUCKETS: [string, (n: number) => boolean][] = [
  ['8–20', (n) => n <= 20],
  ['21–100', (n) => n > 20 && n <= 100],
  ['101–1000', (n) => n > 100 && n <= 1000],
  ['>1000', (n) => n > 1000],
];
const LEVELS = ['postalCode', 'city', 'region', 'country'];

/** Recall per size bucket, per area level and for named vs unnamed trouble, per configuration. */
export function formatBreakdown(rows: Row[]): string {
  type Group = readonly [string, (o: IncidentOutcome) => boolean];
  const groups: Group[] = [
    ...SIZE_BUCKETS.map(
      ([name, test]) => [`size ${name}`, (o: IncidentOutcome) => test(o.size)] as Group,
    ),
    ...LEVELS.map((l) => [`level ${l}`, (o: IncidentOutcome) => o.level === l] as Group),
    ['named topic', (o) => !o.unnamed],
    ['no known topic', (o) => o.unnamed],
  ];
  const width = Math.max(26, ...rows.map((r) => r.label.length + 1));
  const pad = (c: string, i: number) => c.padEnd(i === 0 ? 22 : width);
  const out = [['found by', ...rows.map((r) => r.label)].map(pad).join(' ')];
  for (const [name, test] of groups) {
    const cells = rows.map(({ m }) => {
      const sel = m.outcomes.filter(test);
      return `${pct(sel.filter((o) => o.detected).length, sel.length)} (${sel.filter((o) => o.detected).length}/${sel.length})`;
    });
    out.push([name, ...cells].map(pad).join(' '));
  }
  // Stricter than recall: the right topic at the incident's own area level.
  const exact = rows.map(({ m }) => {
    const n = m.outcomes.filter((o) => o.exactLevel).length;
    return `${pct(n, m.outcomes.length)} (${n}/${m.outcomes.length})`;
  });
  out.push(['own level (strict)', ...exact].map(pad).join(' '));
  // Stricter on the topic: a text cluster counts only for trouble no topic names.
  const strict = (test: (o: IncidentOutcome) => boolean) =>
    rows.map(({ m }) => {
      const n = m.outcomes.filter(test).length;
      return `${pct(n, m.outcomes.length)} (${n}/${m.outcomes.length})`;
    });
  out.push(['own topic (strict)', ...strict((o) => o.exactTopic)].map(pad).join(' '));
  out.push(
    ['topic+level (strict)', ...strict((o) => o.exactTopic && o.exactLevel)].map(pad).join(' '),
  );
  // Where the levels differ: incident level → the level of the problem that found it.
  for (const l of LEVELS) {
    const cells = rows.map(({ m }) => {
      const found = m.outcomes.filter((o) => o.level === l && o.foundLevel !== null);
      return LEVELS.map((f) => found.filter((o) => o.foundLevel === f).length).join('/');
    });
    out.push([`  ${l} as p/t/r/c`, ...cells].map(pad).join(' '));
  }
  return out.join('\n');
}
