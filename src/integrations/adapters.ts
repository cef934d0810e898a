import { ConnectorError, fromHttpStatus, scrubSecrets } from '../channels/connector-error.js';
import type { MergeTarget, ProblemSnapshot } from '../problems/escalate.js';
import { redirectFailure, sendJson } from './http.js';
import { jiraCreatedCategory, jiraTargetCategory, transitionJira } from './jira-transition.js';
import { readableProblem, readableUpdate } from './outbound-text.js';
import { signWebhook } from './sign.js';
import { escapeSlack, fitEscaped, SLACK_SECTION_MAX, SLACK_TEXT_MAX } from './slack-text.js';

/** The problem as escalation targets see it: as it was at the event, with its links as now. */
export type ProblemPayload = ProblemSnapshot & {
  url: string;
  externalRefs: Record<string, string>;
};

/** The status update posted with the event, if any (src/problems/escalate.ts). */
export interface UpdatePayload {
  body: string;
}

/**
 * The merge, ETA and update's words, as sentences for Jira comments and Slack (empty if none).
 * A merge names the problem it went into: the close is no fix of the trouble.
 */
export function newsOf(
  problem: ProblemPayload,
  update: UpdatePayload | undefined,
  mergedInto?: MergeTarget,
): string {
  const merged = mergedInto ? ` Merged into problem #${mergedInto.number} (${mergedInto.id}).` : '';
  const eta = problem.etaAt ? ` ETA ${problem.etaAt}.` : '';
  return `${merged}${update?.body ? `${eta} Update: ${update.body}` : eta}`;
}

/** "1 customer", "2 customers": people read the count in Slack and Jira. */
export function customersPhrase(n: number): string {
  return `${n} ${n === 1 ? 'customer' : 'customers'}`;
}

/**
 * Called just before a call that makes a provider take a status, with what its status webhook will
 * report of it (a Jira status category, a PagerDuty event type): the desk records it
 * (`status_pushed`, status-echo.ts) so that the call's echo is not taken for news.
 */
export type WillPush = (reported: string) => Promise<void>;

export interface AdapterResult {
  /** External references learned (e.g. the Jira issue key) to store on the problem. */
  refs?: Record<string, string>;
  /** References to store only where the problem has none yet (the plain `jira` key). */
  defaults?: Record<string, string>;
  /**
   * Delivered, but part of it could not be done and retrying would not help (no Jira transition
   * fits): the row is given up with this reason after the references are stored, so the admin
   * sees it in the integration's delivery status.
   */
  note?: string;
}

/**
 * Generic signed webhook: POST {event, problem, update?, mergedInto?} with
 * X-Throughline-Signature (`mergedInto`: {id, number} of the problem a merged one went into).
 */
export async function sendWebhook(
  cfg: { url: string },
  secrets: { secret: string },
  event: string,
  problem: ProblemPayload,
  idempotencyKey: string,
  now: number,
  update?: UpdatePayload,
  mergedInto?: MergeTarget,
): Promise<AdapterResult> {
  const body = JSON.stringify({
    event,
    problem,
    ...(update ? { update } : {}),
    ...(mergedInto ? { mergedInto } : {}),
    sentAt: new Date(now).toISOString(),
  });
  const res = await fetch(cfg.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-throughline-event': event,
      'x-throughline-delivery': idempotencyKey,
      'x-throughline-signature': signWebhook(secrets.secret, body, now),
    },
    body,
    // Not followed: a 302 would re-send it as a GET without the event (http.ts, redirectFailure).
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  }).catch((err: Error) => {
    throw new ConnectorError(
      'temporary',
      scrubSecrets(`webhook unreachable: ${err.message}`, [secrets.secret]),
    );
  });
  const moved = redirectFailure(res, [secrets.secret]);
  if (moved) {
    await res.body?.cancel();
    throw moved;
  }
  if (!res.ok)
    throw fromHttpStatus(
      res.status,
      scrubSecrets(await res.text(), [secrets.secret]),
      res.headers.get('retry-after'),
      now,
    );
  return {};
}

/**
 * The reference under which one Jira integration keeps its issue key: `jira:<integration id>`,
 * so two Jira sites or projects each keep their own issue. The plain `jira` key is what people
 * and clients read and may set by hand; it names the first issue made, and is used by an
 * integration only while no integration has a key of its own (a hand-set reference).
 */
export function jiraRefKey(integrationId: string): string {
  return `jira:${integrationId}`;
}

/** The issue key this integration should comment on, if it has one (see `jiraRefKey`). */
export function jiraKeyOf(refs: Record<string, string>, integrationId: string): string | undefined {
  const own = refs[jiraRefKey(integrationId)];
  if (own) return own;
  const anyOwn = Object.keys(refs).some((k) => k.startsWith('jira:'));
  return anyOwn ? undefined : refs.jira;
}

/** The Jira label that marks the one issue of a problem (ids are unique across installations). */
export function jiraProblemLabel(problemId: string): string {
  return `throughline-${problemId}`;
}

/** How the problem stands when a Jira event is sent (dispatch.ts). */
export interface JiraContext {
  /** The problem's status now (the event's snapshot may be older). */
  currentStatus: string;
  /**
   * The change came from this Jira's own status webhook: the issue is where it should be, and a
   * transition back would start a loop of webhook and transition.
   */
  fromJira: boolean;
  /** Before the issue is moved (`WillPush`). */
  willPush?: WillPush;
}

/**
 * Jira Cloud REST v3: creates an issue on the first event (POST /rest/api/3/issue, description
 * in Atlassian Document Format) and comments on it afterwards
 * (POST /rest/api/3/issue/{key}/comment). Basic auth with an account e-mail and API token.
 * A fix moves the issue to a done status, work or a reopening to an in-progress one
 * (jira-transition.ts; `doneTransition`/`reopenTransition` name them where the category is not
 * enough).
 *
 * Creating is not idempotent in Jira, so a create whose answer was lost (timeout, reset) would
 * make a second issue on retry: the issue carries a label unique to the problem, and before
 * creating, a JQL search (GET /rest/api/3/search/jql) looks for it and reuses a hit.
 */
export async function sendJira(
  cfg: {
    baseUrl: string;
    projectKey: string;
    issueType?: string;
    email: string;
    doneTransition?: string;
    reopenTransition?: string;
  },
  secrets: { apiToken: string },
  event: string,
  stored: ProblemPayload,
  integrationId: string,
  storedUpdate?: UpdatePayload,
  ctx: JiraContext = { currentStatus: stored.status, fromJira: false },
  mergedInto?: MergeTarget,
): Promise<AdapterResult> {
  // Summary, description and comments are read by people: customers' text made readable
  // (outbound-text.ts). The ADF builds text nodes only, so Jira markup in it stays text.
  const problem = readableProblem(stored);
  const update = readableUpdate(storedUpdate);
  const base = cfg.baseUrl.replace(/\/+$/, '');
  const basic = Buffer.from(`${cfg.email}:${secrets.apiToken}`).toString('base64');
  const headers = { authorization: `Basic ${basic}` };
  const opts = { headers, secrets: [secrets.apiToken, basic] };
  const label = jiraProblemLabel(problem.id);
  const line = `${problem.title} — ${customersPhrase(problem.customerCount)}, status ${problem.status}. ${problem.url}`;
  const adf = (text: string) => ({
    type: 'doc',
    version: 1,
    content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
  });
  const refKey = jiraRefKey(integrationId);
  const learned = (k: string): AdapterResult =>
    problem.externalRefs[refKey] === k ? {} : { refs: { [refKey]: k }, defaults: { jira: k } };
  let key = jiraKeyOf(problem.externalRefs, integrationId);
  /** The issue was made by this delivery or by a try whose answer was lost: never moved by us. */
  const fresh = !key;
  if (!key) {
    const jql = `project = "${jqlString(cfg.projectKey)}" AND labels = "${jqlString(label)}"`;
    const found = (await sendJson(
      `${base}/rest/api/3/search/jql?${new URLSearchParams({ jql, fields: 'key', maxResults: '1' })}`,
      undefined,
      { ...opts, method: 'GET' },
    )) as { issues?: { key?: string }[] } | null;
    key = found?.issues?.[0]?.key;
    // Made by an earlier try whose answer was lost: the issue's description already says it
    // opened; a later event found it because its key was not stored, and comments as usual.
    if (key && event === 'problem.opened') return learned(key);
  }
  const news = newsOf(problem, update, mergedInto);
  let created = false;
  if (!key) {
    const made = (await sendJson(
      `${base}/rest/api/3/issue`,
      {
        fields: {
          project: { key: cfg.projectKey },
          summary: `[Problem #${problem.number}] ${problem.title}`.slice(0, 250),
          issuetype: { name: cfg.issueType ?? 'Bug' },
          // What the comment would say (no comment follows a create): the event when it is not
          // the opening, the ETA and the update's words.
          description: adf(`${event === 'problem.opened' ? '' : `${event}: `}${line}${news}`),
          labels: ['throughline', `throughline-problem-${problem.number}`, label],
        },
      },
      opts,
    )) as { key?: string };
    if (!made?.key) return {};
    key = made.key;
    created = true;
  }
  // Before the comment: a retry after a failed comment finds the issue moved and moves nothing.
  // A new issue goes where the problem stands (jiraCreatedCategory), and so does one a lost
  // answer left unknown (its retry finds it by label); only one made now cannot be one Jira's
  // own webhook moved already.
  const target =
    ctx.fromJira && !created
      ? null
      : fresh
        ? jiraCreatedCategory(event, ctx.currentStatus)
        : jiraTargetCategory(event, ctx.currentStatus);
  const note = target
    ? await transitionJira({
        base,
        key,
        target,
        named: target === 'done' ? cfg.doneTransition : cfg.reopenTransition,
        opts,
        willPush: ctx.willPush && (() => ctx.willPush!(target)),
      })
    : null;
  // A new issue's description tells what the comment would (above).
  if (!created)
    await sendJson(
      `${base}/rest/api/3/issue/${encodeURIComponent(key)}/comment`,
      { body: adf(`${event}: ${line}${news}`) },
      opts,
    );
  const res = learned(key);
  return note ? { ...res, note } : res;
}

/** A value inside a double-quoted JQL string. */
function jqlString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/**
 * The reference under which one PagerDuty integration notes that it triggered the problem's
 * incident (`pagerduty:<integration id>`; the plain `pagerduty` key is the dedup key the status
 * webhook looks problems up by). Each integration pages its own service, so one integration's
 * trigger opens no incident for another.
 */
export function pagerDutyRefKey(integrationId: string): string {
  return `pagerduty:${integrationId}`;
}

/**
 * PagerDuty Events API v2 (POST https://events.pagerduty.com/v2/enqueue): trigger once the
 * problem is confirmed (a page is for a problem someone or the detector's stronger threshold
 * stands behind, not a suspicion), acknowledge while fixing, resolve when fixed or closed; the
 * dedup key ties them to one incident. An acknowledge for an incident this integration never
 * triggered (a suspected problem moved straight to fixing, one confirmed before the integration
 * was added) goes after a trigger: PagerDuty drops an acknowledge for an unknown dedup key, and
 * nobody would hear of the problem.
 */
export async function sendPagerDuty(
  cfg: { eventsUrl?: string },
  secrets: { routingKey: string },
  event: string,
  stored: ProblemPayload,
  currentStatus: string,
  integrationId: string,
  mergedInto?: MergeTarget,
  willPush?: WillPush,
): Promise<AdapterResult> {
  // The summary and details are read by whoever is paged (outbound-text.ts).
  const problem = readableProblem(stored);
  const refKey = pagerDutyRefKey(integrationId);
  // `problem.status` is the status at the event; the actions follow the status now too.
  const actions = pagerDutyActions(
    event,
    currentStatus,
    problem.status,
    !!problem.externalRefs[refKey],
  );
  if (actions.length === 0) return {};
  const dedupKey = `throughline-problem-${problem.id}`;
  const payload = (details: Record<string, unknown> = {}) => ({
    summary: `[Problem #${problem.number}] ${problem.title}`.slice(0, 1024),
    source: 'throughline',
    severity: problem.customerCount >= 100 ? 'critical' : 'error',
    component: problem.topic ?? 'text-cluster',
    custom_details: {
      customers: problem.customerCount,
      status: problem.status,
      area: problem.area,
      owner: problem.owner,
      lead: problem.lead?.name ?? null,
      ...details,
    },
  });
  for (const action of actions) {
    const body: Record<string, unknown> = {
      routing_key: secrets.routingKey,
      event_action: action,
      dedup_key: dedupKey,
    };
    if (action === 'trigger') {
      body.payload = payload();
      body.links = [{ href: problem.url, text: 'Problem in Throughline' }];
    }
    // A resolve needs no payload; one of a merge carries it (with the whole payload, valid as a
    // trigger's) so the incident's log tells the on-call it was merged, not fixed.
    if (action === 'resolve' && mergedInto) body.payload = payload({ mergedInto });
    // A retry after a failed acknowledge sends the trigger again: PagerDuty folds a trigger with
    // the dedup key of an open incident into that incident, so it pages no one twice.
    // Recorded before the call: PagerDuty's webhook of it may come in before the answer does.
    await willPush?.(PAGERDUTY_ECHO[action]);
    await sendJson(cfg.eventsUrl ?? 'https://events.pagerduty.com/v2/enqueue', body, {
      secrets: [secrets.routingKey],
    });
  }
  const triggered = actions.includes('trigger') ? { [refKey]: dedupKey } : {};
  return { refs: { pagerduty: dedupKey, ...triggered } };
}

/** The webhook event type PagerDuty reports of each Events API action (its echo). */
const PAGERDUTY_ECHO: Record<PagerDutyAction, string> = {
  trigger: 'incident.triggered',
  acknowledge: 'incident.acknowledged',
  resolve: 'incident.resolved',
};

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/**
 * The Events API actions for a problem event, in order. `status` is the problem's status when it
 * is sent: a retried escalation may arrive after later ones (a trigger that failed once, sent
 * after the resolve), and must not page anyone for a problem fixed since, nor resolve one
 * reopened since. `statusAtEvent` (from the event's snapshot; rows queued before snapshots have
 * none) tells a problem opened as a mere suspicion, which pages no one: its `problem.confirmed`
 * will. A reopening into fixing triggers and acknowledges at once: someone is on it already, and
 * so does any acknowledge of an incident never `triggered` by this integration (`sendPagerDuty`).
 */
export function pagerDutyActions(
  event: string,
  status: string,
  statusAtEvent: string = status,
  triggered = true,
): PagerDutyAction[] {
  const actions = pagerDutyActionsOf(event, status, statusAtEvent);
  return actions[0] === 'acknowledge' && !triggered ? ['trigger', ...actions] : actions;
}

function pagerDutyActionsOf(
  event: string,
  status: string,
  statusAtEvent: string,
): PagerDutyAction[] {
  const fixedNow = status === 'fixed' || status === 'verified' || status === 'closed';
  if (event === 'problem.opened' && (statusAtEvent === 'suspected' || status === 'suspected'))
    return [];
  if (event === 'problem.opened' || event === 'problem.confirmed')
    return fixedNow ? ['resolve'] : ['trigger'];
  if (event === 'problem.reopened')
    return fixedNow ? ['resolve'] : status === 'fixing' ? ['trigger', 'acknowledge'] : ['trigger'];
  if (event === 'problem.fixing')
    return fixedNow ? ['resolve'] : status === 'fixing' ? ['acknowledge'] : [];
  if (event === 'problem.fixed' || event === 'problem.verified' || event === 'problem.closed')
    return fixedNow ? ['resolve'] : [];
  return [];
}

/**
 * Slack incoming webhook: POST {text, blocks} to the hook URL (the URL is the secret). The
 * section must stay within Slack's 3,000 characters (slack-text.ts): the title is cut to a part
 * of it and the update's words to what is left, the link to the problem always fits; the
 * top-level text (the notification, and what clients without blocks show) keeps the whole
 * headline and update, within its own 40,000.
 */
export async function sendSlack(
  _cfg: unknown,
  secrets: { webhookUrl: string },
  event: string,
  stored: ProblemPayload,
  storedUpdate?: UpdatePayload,
  mergedInto?: MergeTarget,
): Promise<AdapterResult> {
  // Customers' text made readable (outbound-text.ts), then escaped for mrkdwn (escapeSlack).
  const problem = readableProblem(stored);
  const update = readableUpdate(storedUpdate);
  const headline = (title: string) =>
    `Problem #${problem.number} ${event.replace('problem.', '')}: ${title} (${customersPhrase(problem.customerCount)})`;
  const title = escapeSlack(problem.title);
  const newsText = newsOf(problem, update, mergedInto).trim();
  const news = newsText ? escapeSlack(newsText) : '';
  // The URL is the credential: its path (…/services/T…/B…/<token>) must not reach an error.
  const hookPath = URL.canParse(secrets.webhookUrl) ? new URL(secrets.webhookUrl).pathname : '';
  // A title is at most 200 characters, but shown controls (`&lt;U+202E&gt;`) lengthen it.
  const head =
    `*${headline(fitEscaped(title, SLACK_TITLE_MAX))}*\n` +
    `Status: ${problem.status} · Owner: ${fitEscaped(escapeSlack(problem.owner ?? 'unassigned'), 200)}` +
    `${problem.lead ? ` · Lead: ${fitEscaped(escapeSlack(problem.lead.name), 200)}` : ''}\n`;
  const link = `<${problem.url}|Open in Throughline>`;
  const room = SLACK_SECTION_MAX - head.length - link.length - 1;
  const section = `${head}${news ? `${fitEscaped(news, room)}\n` : ''}${link}`;
  const payload = {
    // The top-level text is the notification fallback and is read as mrkdwn too.
    text: fitEscaped(`${headline(title)}${news ? `\n${news}` : ''}`, SLACK_TEXT_MAX),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: section } }],
  };
  await sendJson(secrets.webhookUrl, payload, {
    secrets: [secrets.webhookUrl, hookPath.length > 10 ? hookPath : undefined],
  });
  return {};
}

/** The most of a section's 3,000 characters the (escaped) title takes; the update has the rest. */
const SLACK_TITLE_MAX = 1_000;
