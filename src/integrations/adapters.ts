import { ConnectorError, fromHttpStatus } from '../channels/connector-error.js';
import { sendJson } from './http.js';
import { signWebhook } from './sign.js';

/** The problem as escalation targets see it. */
export interface ProblemPayload {
  id: string;
  number: number;
  status: string;
  title: string;
  topic: string | null;
  area: Record<string, string | null> | null;
  owner: string | null;
  customerCount: number;
  messageCount: number;
  detectedAt: string;
  url: string;
  externalRefs: Record<string, string>;
}

export interface AdapterResult {
  /** External references learned (e.g. the Jira issue key) to store on the problem. */
  refs?: Record<string, string>;
}

/** Generic signed webhook: POST {event, problem} with X-Throughline-Signature. */
export async function sendWebhook(
  cfg: { url: string },
  secrets: { secret: string },
  event: string,
  problem: ProblemPayload,
  idempotencyKey: string,
  now: number,
): Promise<AdapterResult> {
  const body = JSON.stringify({ event, problem, sentAt: new Date(now).toISOString() });
  const res = await fetch(cfg.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-throughline-event': event,
      'x-throughline-delivery': idempotencyKey,
      'x-throughline-signature': signWebhook(secrets.secret, body, now),
    },
    body,
    signal: AbortSignal.timeout(10_000),
  }).catch((err: Error) => {
    throw new ConnectorError('temporary', `webhook unreachable: ${err.message}`);
  });
  if (!res.ok)
    throw fromHttpStatus(res.status, await res.text(), res.headers.get('retry-after'), now);
  return {};
}

/**
 * Jira Cloud REST v3: creates an issue on the first event (POST /rest/api/3/issue, description
 * in Atlassian Document Format) and comments on it afterwards
 * (POST /rest/api/3/issue/{key}/comment). Basic auth with an account e-mail and API token.
 */
export async function sendJira(
  cfg: { baseUrl: string; projectKey: string; issueType?: string; email: string },
  secrets: { apiToken: string },
  event: string,
  problem: ProblemPayload,
): Promise<AdapterResult> {
  const base = cfg.baseUrl.replace(/\/+$/, '');
  const headers = {
    authorization: `Basic ${Buffer.from(`${cfg.email}:${secrets.apiToken}`).toString('base64')}`,
  };
  const line = `${problem.title} — ${problem.customerCount} customers, status ${problem.status}. ${problem.url}`;
  const adf = (text: string) => ({
    type: 'doc',
    version: 1,
    content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
  });
  const key = problem.externalRefs.jira;
  if (!key) {
    const created = (await sendJson(
      `${base}/rest/api/3/issue`,
      {
        fields: {
          project: { key: cfg.projectKey },
          summary: `[Problem #${problem.number}] ${problem.title}`.slice(0, 250),
          issuetype: { name: cfg.issueType ?? 'Bug' },
          description: adf(line),
          labels: ['throughline', `throughline-problem-${problem.number}`],
        },
      },
      { headers },
    )) as { key?: string };
    return created?.key ? { refs: { jira: created.key } } : {};
  }
  await sendJson(
    `${base}/rest/api/3/issue/${encodeURIComponent(key)}/comment`,
    { body: adf(`${event}: ${line}`) },
    { headers },
  );
  return {};
}

/**
 * PagerDuty Events API v2 (POST https://events.pagerduty.com/v2/enqueue): trigger on open or
 * reopen, acknowledge while fixing, resolve when fixed or closed; the dedup key ties them to
 * one incident.
 */
export async function sendPagerDuty(
  cfg: { eventsUrl?: string },
  secrets: { routingKey: string },
  event: string,
  problem: ProblemPayload,
): Promise<AdapterResult> {
  const action = pagerDutyAction(event, problem.status);
  if (!action) return {};
  const dedupKey = `throughline-problem-${problem.id}`;
  const body: Record<string, unknown> = {
    routing_key: secrets.routingKey,
    event_action: action,
    dedup_key: dedupKey,
  };
  if (action === 'trigger') {
    body.payload = {
      summary: `[Problem #${problem.number}] ${problem.title}`.slice(0, 1024),
      source: 'throughline',
      severity: problem.customerCount >= 100 ? 'critical' : 'error',
      component: problem.topic ?? 'text-cluster',
      custom_details: {
        customers: problem.customerCount,
        status: problem.status,
        area: problem.area,
        owner: problem.owner,
      },
    };
    body.links = [{ href: problem.url, text: 'Problem in Throughline' }];
  }
  await sendJson(cfg.eventsUrl ?? 'https://events.pagerduty.com/v2/enqueue', body);
  return { refs: { pagerduty: dedupKey } };
}

/**
 * The Events API action for a problem event, checked against the problem's status when it is
 * sent: a retried escalation may arrive after later ones (a trigger that failed once, sent after
 * the resolve), and must not page anyone for a problem fixed since, nor resolve one reopened since.
 */
export function pagerDutyAction(
  event: string,
  status: string,
): 'trigger' | 'acknowledge' | 'resolve' | null {
  const fixedNow = status === 'fixed' || status === 'verified' || status === 'closed';
  if (event === 'problem.opened' || event === 'problem.reopened' || event === 'problem.confirmed')
    return fixedNow ? 'resolve' : 'trigger';
  if (event === 'problem.fixing')
    return fixedNow ? 'resolve' : status === 'fixing' ? 'acknowledge' : null;
  if (event === 'problem.fixed' || event === 'problem.verified' || event === 'problem.closed')
    return fixedNow ? 'resolve' : null;
  return null;
}

/** Slack incoming webhook: POST {text, blocks} to the hook URL (the URL is the secret). */
export async function sendSlack(
  _cfg: unknown,
  secrets: { webhookUrl: string },
  event: string,
  problem: ProblemPayload,
): Promise<AdapterResult> {
  const text = `Problem #${problem.number} ${event.replace('problem.', '')}: ${problem.title} (${problem.customerCount} customers)`;
  await sendJson(secrets.webhookUrl, {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${escapeSlack(text)}*\nStatus: ${problem.status} · Owner: ${escapeSlack(problem.owner ?? 'unassigned')}\n<${problem.url}|Open in Throughline>`,
        },
      },
    ],
  });
  return {};
}

/** Slack mrkdwn control characters (api.slack.com/reference/surfaces/formatting#escaping). */
function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
