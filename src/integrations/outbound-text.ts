import type { ProblemPayload, UpdatePayload } from './adapters.js';

/**
 * Text that people read in Slack, Jira and PagerDuty. A problem's title (and the area a detector
 * names) is built from customers' messages, so it may carry what no one should be shown as is:
 * control characters (a bell, an escape sequence, a line break that Jira refuses in a summary)
 * and Unicode's bidirectional controls, which reorder what a reader sees ("Trojan Source": a
 * title with U+202E reads "‮tupni" as "input"). Controls are taken out, line breaks become
 * spaces (or stay, in words meant to have lines), and bidirectional controls are shown as what
 * they are, `<U+202E>`, as the CLI shows them (src/commands/terminal.ts), so the reader sees that
 * something was there. The signed webhook is for machines and carries the stored text as it is.
 */

// Terminal escape sequences, whole (CSI, and ESC with its next character): their parameters
// would otherwise be left as visible noise once ESC is gone.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding escape sequences is the point.
const SEQUENCES = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b[ -/]*[0-~]?/g;
/** Line breaks (CR LF, and the Unicode separators) and tabs. */
const BREAKS = /\r\n|[\t\n\v\f\r\u0085\u2028\u2029]/g;
/** Bidirectional formatting: ALM, LRM, RLM, the embeddings and overrides, the isolates. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Every other C0 and C1 control character, and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

const codePoint = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * `text` without control characters and with bidirectional controls made visible. With
 * `lines`, line breaks are kept as `\n` (a status update's paragraphs); otherwise the text is one
 * line, runs of spaces one space.
 */
export function readableText(text: string, opts: { lines?: boolean } = {}): string {
  const out = text
    .replace(SEQUENCES, '')
    .replace(BREAKS, (b) => (opts.lines && b !== '\t' ? '\n' : ' '))
    .replace(CONTROLS, (c) => (opts.lines && c === '\n' ? c : ''))
    .replace(BIDI, (c) => `<${codePoint(c)}>`);
  return opts.lines ? out : out.replace(/ {2,}/g, ' ').trim();
}

/** The problem's texts (title, owner, lead, area names) as `readableText` for people's tools. */
export function readableProblem(problem: ProblemPayload): ProblemPayload {
  const text = (v: string | null) => (v === null ? null : readableText(v));
  const { postalCode, city, region, country } = problem.area;
  const area = {
    postalCode: text(postalCode),
    city: text(city),
    region: text(region),
    country: text(country),
  };
  return {
    ...problem,
    title: readableText(problem.title),
    owner: problem.owner === null ? null : readableText(problem.owner),
    lead: problem.lead ? { ...problem.lead, name: readableText(problem.lead.name) } : null,
    area,
  };
}

/** A status update's words, their paragraphs kept. */
export function readableUpdate(update: UpdatePayload | undefined): UpdatePayload | undefined {
  return update ? { ...update, body: readableText(update.body, { lines: true }) } : update;
}
