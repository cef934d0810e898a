import type { Kysely } from 'kysely';
import { shiftQuietPeriods } from '../notify/quiet-period.js';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { type OwnerRule, ownerRulesIn, readOwnerRules } from './owner-rules.js';
import { checkOwnerRules, ensureTeamsNamed } from './owner-teams.js';
import { MIXED_TITLE } from './problem.store.js';

/** Per-workspace problem settings (admin-editable through the API). */
export interface ProblemSettings {
  /** Send the informed acknowledgement automatically instead of suggesting it to the agent. */
  autoAcknowledge: boolean;
  /**
   * Placeholders (all three templates): {title} {subject} {status} {progress} {eta} {area}
   * {body}; the status in customers' words, never ours (`STATUS_WORDS`, `PROGRESS`); {subject}
   * names the trouble and its place in customers' words (`subjectPhrase`).
   */
  acknowledgementTemplate: string;
  updateTemplate: string;
  fixedTemplate: string;
  /**
   * After a fix, linked cases wait this long for the customer before resolving, counted from
   * when their customer's fix notice was delivered (from the fix when none was sent). A change
   * applies to the cases already waiting too, counted from that same moment.
   */
  quietPeriodMinutes: number;
  /**
   * A status notice waits this long before it goes out, so a newer one to the same customer
   * (the problem flapping fixed → fixing → fixed) takes its place and only the latest state is
   * sent (`notify.handler.ts`: an out-of-date notice ends `superseded`).
   */
  noticeHoldMinutes: number;
  /**
   * The least time between two notices to one customer about one problem: a later one waits
   * (and is superseded by a newer one meanwhile). At most 10 minutes each, so that with the
   * notifier's 10-minute retry budget a fix still reaches every customer within 15 minutes.
   */
  noticeGapMinutes: number;
  /** Distinct customers saying "still broken" after a fix that reopen the problem … */
  reopenAfterStillBroken: number;
  /** … and at least this share of its linked customers (0–1). */
  reopenStillBrokenShare: number;
  /**
   * Reports this soon after a fix keep their case open but do not count toward reopening:
   * restoration takes a while to reach everyone, and messages cross the fix notice.
   */
  stillBrokenGraceMinutes: number;
  /**
   * Owner team by topic and place (first match wins, owner-rules.ts); care core's routing
   * rules plug in here.
   */
  ownerRules: OwnerRule[];
}

export const DEFAULT_PROBLEM_SETTINGS: ProblemSettings = {
  autoAcknowledge: false,
  // Customers read {progress}, a sentence in their words, never our status names ("suspected").
  // {subject} ("the outage in Austin, TX"), not {title}: titles are the desk's working names
  // ('Many similar complaints: "voicemail greeting" — everywhere').
  acknowledgementTemplate: 'Thanks for telling us. We know about {subject}. {progress}{eta}',
  updateTemplate: 'Update on {subject}: {progress} {body}{eta}',
  fixedTemplate:
    'Good news: {subject} is fixed. {body} If it is still not working for you, just reply to this message.',
  quietPeriodMinutes: 24 * 60,
  // A fix reverted within two minutes (a wrong button, a tracker echo) reaches nobody; a problem
  // flapping for longer sends one customer at most one notice per five minutes, each the latest
  // state. A fix notice waits at most five minutes for either.
  noticeHoldMinutes: 2,
  noticeGapMinutes: 5,
  reopenAfterStillBroken: 3,
  // A fix that held still hears "still down" from some of its customers (messages that crossed
  // it, equipment that needs a restart): in the full-pipeline evaluation up to 13 % of a fixed
  // problem's customers (seeds 1–3, 93 fixes, all of which held); at 10 %, 10 of those fixes
  // were reopened for nothing, at 20 % none. A fix that did not hold shows better in the
  // complaints that keep coming (the detector's test, `reopen.ts`) than in this share.
  reopenStillBrokenShare: 0.2,
  stillBrokenGraceMinutes: 30,
  ownerRules: [
    { topic: 'outage', team: 'Network operations' },
    { topic: 'network', team: 'Network operations' },
    { topic: 'device', team: 'Devices' },
    { topic: 'billing', team: 'Billing' },
    { topic: 'account', team: 'Billing' },
    { topic: 'delivery', team: 'Field services' },
    { topic: 'service', team: 'Contact-centre operations' },
    // Last, every other problem: a text cluster no topic names ("caller ID shows a stranger's
    // name") or trouble triage calls "other" still has a team that finds its cause.
    { team: 'Problem management' },
  ],
};

/**
 * Defaults of earlier releases, which told customers our status names ("status: suspected").
 * Saving any setting stored the whole settings, these templates too, so a workspace that never
 * chose its own wording would keep them: one still equal to an old default follows the default.
 */
const OLD_DEFAULTS: Partial<Record<TemplateKey, string[]>> = {
  acknowledgementTemplate: [
    'Thanks for telling us. We know about this ({title}) and our team is on it — status: {status}.{eta}',
  ],
  updateTemplate: ['Update on {title} — status: {status}. {body}{eta}'],
  fixedTemplate: [
    'Good news: {title} is fixed. {body} If it is still not working for you, just reply to this message.',
  ],
};

export async function loadProblemSettings(
  db: Kysely<DB>,
  workspaceId: string,
): Promise<ProblemSettings> {
  const row = await db
    .selectFrom('problem_settings')
    .select('settings_json')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) return DEFAULT_PROBLEM_SETTINGS;
  const stored = JSON.parse(row.settings_json) as Partial<ProblemSettings>;
  for (const k of TEMPLATE_KEYS)
    if (stored[k] !== undefined && OLD_DEFAULTS[k]?.includes(stored[k])) delete stored[k];
  if (Array.isArray(stored.ownerRules)) stored.ownerRules = readOwnerRules(stored.ownerRules);
  return { ...DEFAULT_PROBLEM_SETTINGS, ...stored };
}

/**
 * The teams the workspace's owner rules name, created when missing. A desk made before the
 * desk's creation made them (owner-teams.ts) has rules naming no team, so its problems had no
 * owner team and every agent could post their updates; at start it gets them too.
 */
export async function ensureOwnerTeams(db: Kysely<DB>, ws: string, now: number): Promise<void> {
  const { ownerRules } = await loadProblemSettings(db, ws);
  const names = ownerRules.map((r) => r.team).filter((n) => typeof n === 'string' && n.trim());
  await ensureTeamsNamed(db, ws, names, now);
}

export async function saveProblemSettings(
  db: Kysely<DB>,
  workspaceId: string,
  patch: Partial<ProblemSettings>,
  now: number,
): Promise<ProblemSettings> {
  for (const k of TEMPLATE_KEYS) if (patch[k] !== undefined) checkTemplate(k, patch[k]);
  const rules = patch.ownerRules;
  if (rules) await checkOwnerRules(db, workspaceId, rules);
  return db.transaction().execute(async (trx) => {
    const before = await loadProblemSettings(trx, workspaceId);
    // Each rule's place is read and stored as written back (400 for no place).
    const next = { ...before, ...patch, ...(rules && { ownerRules: ownerRulesIn(rules) }) };
    const json = JSON.stringify(next);
    await trx
      .insertInto('problem_settings')
      .values({ workspace_id: workspaceId, settings_json: json, updated_at: now })
      .onConflict((oc) =>
        oc.column('workspace_id').doUpdateSet({ settings_json: json, updated_at: now }),
      )
      .execute();
    // Cases already waiting on a fix wait the new quiet period too (src/notify/quiet-period.ts).
    await shiftQuietPeriods(trx, workspaceId, before.quietPeriodMinutes, next.quietPeriodMinutes);
    return next;
  });
}

/** What a customer-facing template may say. */
export const PLACEHOLDERS = [
  'title',
  'subject',
  'status',
  'progress',
  'eta',
  'area',
  'body',
] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
const TEMPLATE_KEYS = ['acknowledgementTemplate', 'updateTemplate', 'fixedTemplate'] as const;
type TemplateKey = (typeof TEMPLATE_KEYS)[number];

/**
 * A status as customers read it (`{status}`): plain words, not the desk's lifecycle names. A
 * "suspected" problem is one we are looking into; "verified" is our check that a fix held.
 */
const STATUS_WORDS: Record<string, string> = {
  suspected: 'under investigation',
  confirmed: 'confirmed',
  fixing: 'being fixed',
  fixed: 'fixed',
  verified: 'fixed',
  closed: 'resolved',
};

/** Where things stand, as a sentence for customers (`{progress}`). */
const PROGRESS: Record<string, string> = {
  suspected: 'We are looking into reports of it.',
  confirmed: 'We have confirmed it and our team is on it.',
  fixing: 'Our team is working on a fix.',
  fixed: 'It is fixed.',
  verified: 'It is fixed.',
  closed: 'It is resolved.',
};

export function statusWords(status: string): string {
  return STATUS_WORDS[status] ?? 'under investigation';
}

export function progressSentence(status: string): string {
  return PROGRESS[status] ?? PROGRESS.suspected;
}

/**
 * A template customers could not read is refused: a blank one sent an empty message recorded as
 * sent; an unbalanced or nested brace ("{status" or "{{status}}") reaches them as written; so does
 * a placeholder we do not fill.
 */
function checkTemplate(key: string, template: string) {
  if (!template.trim()) throw new AppError('bad_request', `${key}: must not be blank`);
  let open = false;
  for (const ch of template) {
    if (ch !== '{' && ch !== '}') continue;
    if ((ch === '{') === open)
      throw new AppError(
        'bad_request',
        `${key}: unbalanced braces; a placeholder is one name in single braces, like {title}`,
      );
    open = ch === '{';
  }
  if (open) throw new AppError('bad_request', `${key}: unbalanced braces (a "{" is not closed)`);
  for (const [, name] of template.matchAll(/\{(\w+)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name))
      throw new AppError(
        'bad_request',
        `${key}: unknown placeholder {${name}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
      );
  }
}

/** Fills a template; unknown placeholders (only in settings stored before they were checked) stay. */
export function fill(template: string, values: Record<Placeholder, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k as Placeholder] ?? m);
}

/**
 * The agent's text as `{body}` puts it into a notice: a sentence of its own. Templates place it
 * before other sentences (`{body}{eta}`: " We expect it fixed by …"; the fixed template's "If it is
 * still not working …"), so text without final punctuation ("Crews are on it") gets a full stop
 * instead of running on into the next sentence. Empty stays empty.
 */
export function bodySentence(body: string | null | undefined): string {
  const text = (body ?? '').trim();
  if (!text) return '';
  // Ends a sentence already: . ! ? … (or a colon), maybe inside closing quotes or brackets.
  return /[.!?…:]["'”’»)\]]*$/.test(text) ? text : `${text}.`;
}

/**
 * The ETA as customers read it: the time of day when it is today (UTC), else with its date
 * ("We expect it fixed by Thu 3 Dec, 15:30 UTC."), and its year when that is not this one ("Fri 1
 * Jan 2027"): without it a date in January read in December is ambiguous. Nothing for a fixed
 * problem: it is not awaited. An ETA that has passed is no promise to repeat ("fixed by" a time
 * gone): customers hear that it takes longer than expected, and that we will keep them posted.
 */
export function etaPhrase(eta: number | null | undefined, now: number, status: string): string {
  if (eta == null || status === 'fixed' || status === 'verified' || status === 'closed') return '';
  if (Number(eta) <= now) return ' It is taking longer than we expected; we will keep you posted.';
  const at = new Date(Number(eta));
  const time = at.toISOString().slice(11, 16);
  if (at.toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10))
    return ` We expect it fixed by ${time} UTC.`;
  const day = at.toLocaleDateString('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  // en-GB would write "Fri, 1 Jan 2027" with a year: the year goes after the usual "Fri 1 Jan".
  const year = at.getUTCFullYear();
  const when = year === new Date(now).getUTCFullYear() ? day : `${day} ${year}`;
  return ` We expect it fixed by ${when}, ${time} UTC.`;
}

/** A problem's place for customers ("San Francisco, CA (94110)"), or "your area". */
export function areaPhrase(areaJson: string | null | undefined): string {
  const a = areaJson
    ? (JSON.parse(areaJson) as Partial<
        Record<'postalCode' | 'city' | 'region' | 'country', string | null>
      >)
    : null;
  const place = a
    ? [a.city, a.region ?? (a.city ? null : a.country)].filter(Boolean).join(', ')
    : '';
  if (!a || (!place && !a.postalCode)) return 'your area';
  if (!place) return String(a.postalCode);
  return a.postalCode ? `${place} (${a.postalCode})` : place;
}

/** Each topic's trouble as customers name it; a text cluster or "other" is "the problem". */
const TOPIC_TROUBLE: Record<string, string> = {
  network: 'the network problem',
  outage: 'the outage',
  billing: 'the billing problem',
  account: 'the account problem',
  device: 'the device problem',
  service: 'the service problem',
  delivery: 'the delivery and installation problem',
};

/**
 * The trouble and its place for customers (`{subject}`): "the outage in Austin, TX", "the
 * billing problem", "the problem in 94110". A country-wide one names no place ("in US" reads as
 * a code, and the customer knows their country). A title a person wrote ("Fibre cut on Main
 * St") is theirs to give: it is used as written. The desk's own titles (`problemTitle`) all
 * carry " — " between what and where, which is how they are told apart.
 */
export function subjectPhrase(p: {
  title?: string;
  topic?: string | null;
  area_json?: string | null;
}): string {
  // A split keeps its source's title with " (split)" (problem.links.ts): the desk's mark, not theirs.
  const title = p.title?.replace(/ \(split\)$/, '');
  if (title && !title.includes(' — ')) return title;
  const topic = customerTopic(p);
  const trouble = (topic && TOPIC_TROUBLE[topic]) || 'the problem';
  const a = p.area_json
    ? (JSON.parse(p.area_json) as Partial<Record<'postalCode' | 'city' | 'region', string | null>>)
    : null;
  if (!a || !(a.postalCode || a.city || a.region)) return trouble;
  return `${trouble} in ${areaPhrase(p.area_json)}`;
}

/**
 * The topic customers are told their trouble is: none for a place's trouble of many topics
 * (`topicMix`, titled `MIXED_TITLE`), whose most common topic is not every customer's (an
 * outage's complainer told of "the billing problem").
 */
export function customerTopic(p: { title?: string; topic?: string | null }): string | null {
  return p.title?.startsWith(MIXED_TITLE) ? null : (p.topic ?? null);
}

/** A filled template as sent: one line, no doubled spaces where a placeholder was empty. */
function render(
  template: string,
  p: { title: string; topic?: string | null; area_json?: string | null },
  status: string,
  body: string | null | undefined,
  eta: number | null | undefined,
  now: number,
): string {
  return fill(template, {
    title: p.title,
    subject: subjectPhrase(p),
    status: statusWords(status),
    progress: progressSentence(status),
    body: bodySentence(body),
    eta: etaPhrase(eta, now, status),
    area: areaPhrase(p.area_json),
  })
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * What customers read of an update: the fixed template for the news of a fix (`fix`), else the
 * update template (words posted later on a problem that stays fixed are not a second fix).
 */
export function noticeText(
  settings: ProblemSettings,
  p: { title: string; topic?: string | null; area_json: string | null },
  status: string,
  body: string | null | undefined,
  eta: number | null | undefined,
  now: number,
  fix = status === 'fixed',
): string {
  return render(fix ? settings.fixedTemplate : settings.updateTemplate, p, status, body, eta, now);
}

/**
 * The informed acknowledgement of a complaint linked to a problem; one linked after the fix
 * hears that it is fixed (the fixed template, with the fix's words: `body`), and to reply if not
 * for them.
 */
export function acknowledgementText(
  settings: ProblemSettings,
  p: {
    title: string;
    topic?: string | null;
    area_json?: string | null;
    status: string;
    eta_at: number | null;
  },
  now: number,
  body = '',
): string {
  const fixed = p.status === 'fixed' || p.status === 'verified';
  const template = fixed ? settings.fixedTemplate : settings.acknowledgementTemplate;
  return render(template, p, p.status, fixed ? body : '', p.eta_at, now);
}
