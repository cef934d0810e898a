import { AppError } from '../platform/errors.js';
import { ESCALATION_EVENTS } from '../problems/escalate.js';
import type { IntegrationKind } from './dispatch.js';

/**
 * What each kind of escalation target needs, checked when it is added or changed: a target
 * missing a field (a Jira one without `baseUrl`) was accepted and then failed at every delivery
 * with a TypeError nobody could act on. Errors name the field (`config.baseUrl`).
 */
type Field = { required?: boolean; check: (v: unknown) => string | null };

const string: Field['check'] = (v) =>
  typeof v === 'string' && v.trim() !== '' ? null : 'must be a non-empty string';
const url: Field['check'] = (v) => {
  if (typeof v !== 'string' || !URL.canParse(v)) return 'must be an http(s) URL';
  const { protocol, username, password } = new URL(v);
  if (protocol !== 'http:' && protocol !== 'https:') return 'must be an http(s) URL';
  // A URL is shown where it goes (the GET view, delivery errors, logs): credentials go in secrets.
  return username || password ? 'must not contain a user name or password' : null;
};
/** HMAC keys: a short one can be guessed offline from a single signed body. */
const hmacKey: Field['check'] = (v) =>
  typeof v === 'string' && v.length >= 16 ? null : 'must be a string of at least 16 characters';
/** PagerDuty integration (routing) keys are 32 characters. */
const routingKey: Field['check'] = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9]{32}$/.test(v)
    ? null
    : 'must be a 32-character PagerDuty integration key';
/**
 * Only the events that are sent: a misspelt one (`problem.fixd`) was stored and matched nothing,
 * so the target silently never heard of fixes.
 */
const events: Field['check'] = (v) => {
  const known = ESCALATION_EVENTS.join(', ');
  if (!Array.isArray(v) || !v.every((e) => typeof e === 'string'))
    return `must be a list of event names (${known})`;
  const unknown = v.filter((e) => !(ESCALATION_EVENTS as readonly string[]).includes(e));
  if (unknown.length === 0) return null;
  const names = unknown.map((e) => JSON.stringify(e)).join(', ');
  return `has unknown event${unknown.length > 1 ? 's' : ''} ${names}: the events are ${known}`;
};

const boolean: Field['check'] = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
/** A bare address: no display name, list, comment or quoting (`Boss <b@x>`, `a@x,b@y`). */
const PLAIN_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+\.[^\s@<>,;:"()[\]\\]+$/;
/** Plain addresses (`name@example.org`), at most 20: a display name could carry a header. */
const addresses: Field['check'] = (v) => {
  if (!Array.isArray(v) || v.length > 20 || !v.every((a) => typeof a === 'string'))
    return 'must be a list of at most 20 e-mail addresses';
  const bad = v.find((a) => !PLAIN_ADDRESS.test(a.trim()) || a.length > 254);
  return bad === undefined ? null : `has ${JSON.stringify(bad)}, which is not an e-mail address`;
};

// `events` (config) limits which problem events go out; `inboundSecret` (secrets) signs the
// status webhooks Jira and PagerDuty send back.
const CONFIG: Record<IntegrationKind, Record<string, Field>> = {
  webhook: { url: { required: true, check: url }, events: { check: events } },
  jira: {
    baseUrl: { required: true, check: url },
    projectKey: { required: true, check: string },
    email: { required: true, check: string },
    issueType: { check: string },
    // Transition or status names to use for a fix and for work or a reopening, where the first
    // transition to a done (in-progress) status category is not the one the project wants.
    doneTransition: { check: string },
    reopenTransition: { check: string },
    events: { check: events },
  },
  pagerduty: { eventsUrl: { check: url }, events: { check: events } },
  slack: { events: { check: events } },
  email: { lead: { check: boolean }, to: { check: addresses }, events: { check: events } },
};
const SECRETS: Record<IntegrationKind, Record<string, Field>> = {
  webhook: { secret: { required: true, check: hmacKey } },
  jira: { apiToken: { required: true, check: string }, inboundSecret: { check: hmacKey } },
  pagerduty: {
    routingKey: { required: true, check: routingKey },
    inboundSecret: { check: hmacKey },
  },
  slack: { webhookUrl: { required: true, check: url } },
  email: {},
};

function checkFields(where: string, fields: Record<string, Field>, value: Record<string, unknown>) {
  for (const key of Object.keys(value))
    if (!fields[key])
      throw new AppError('bad_request', `${where}.${key} is not a field of this kind`);
  for (const [key, f] of Object.entries(fields)) {
    const v = value[key];
    if (v === undefined) {
      if (f.required) throw new AppError('bad_request', `${where}.${key} is required`);
      continue;
    }
    const problem =
      typeof v === 'string' && v.length > 2000 ? 'is longer than 2000 characters' : f.check(v);
    if (problem) throw new AppError('bad_request', `${where}.${key} ${problem}`);
  }
}

/** Throws 400 naming the first field that is missing, unknown or malformed for `kind`. */
export function checkIntegration(
  kind: IntegrationKind,
  config: Record<string, unknown>,
  secrets: Record<string, unknown>,
): void {
  checkFields('config', CONFIG[kind], config);
  checkFields('secrets', SECRETS[kind], secrets);
  // Someone must get the mail: the lead (the default), or the addresses given.
  if (kind === 'email' && config.lead === false && !(Array.isArray(config.to) && config.to.length))
    throw new AppError('bad_request', 'config.to is required when config.lead is false');
}

/** `base` with `patch` laid over it; a null value removes the key (an optional field). */
export function mergePatch<T>(
  base: Record<string, T>,
  patch: Record<string, T | null> | undefined,
): Record<string, T> {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
