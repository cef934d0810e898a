import { decryptSecrets } from '../channels/channel.crypto.js';
import { AppError, notFound } from '../platform/errors.js';
import { nestedTooDeeply, TOO_DEEP_MESSAGE } from '../platform/http/json-depth.js';
import { Json, Refusal } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import type { ProblemStatus } from '../problems/problem.store.js';
import { jiraKeyOf } from './adapters.js';
import { jiraActor, pagerDutyActor } from './dispatch.js';
import type { IntegrationRouteDeps } from './integration.routes.js';
import { verifyHmacHex } from './sign.js';
import { takeProviderEvent } from './status-take.js';

/**
 * What a Jira status category says the problem is (null: nothing to do). `indeterminate` (in
 * progress): fixing; `done`: fixed; `new` (To Do) on a fixed or verified problem: the fix did not
 * hold, and the problem goes back to fixing, as PagerDuty's `incident.reopened` and the
 * automatic reopening (`src/problems/reopen.ts`) take it (its customers are told, its waiting
 * cases reopen); `new` before a fix says nothing new.
 */
export function jiraStatusTarget(category: string, status: string): ProblemStatus | null {
  if (category === 'done') return 'fixed';
  if (category === 'indeterminate') return 'fixing';
  if (category === 'new' && (status === 'fixed' || status === 'verified')) return 'fixing';
  return null;
}

/**
 * What a PagerDuty incident event says the problem is (null: nothing to do). Resolved: fixed.
 * Reopened after a resolve: the team is on it again. Acknowledged: the team is on it, which is
 * news only before work started; an acknowledge after the fix is the echo of our own acknowledge
 * sent while fixing, not a reopening.
 */
export function pagerDutyStatusTarget(eventType: string, status: string): ProblemStatus | null {
  if (eventType === 'incident.resolved') return 'fixed';
  if (eventType === 'incident.reopened') return 'fixing';
  if (eventType === 'incident.acknowledged' && (status === 'suspected' || status === 'confirmed'))
    return 'fixing';
  return null;
}

/**
 * The status webhooks coming back from Jira and PagerDuty: public routes verified by HMAC over the
 * raw body with the integration's `inboundSecret` (Jira `X-Hub-Signature: sha256=<hex>`,
 * PagerDuty v3 `X-PagerDuty-Signature: v1=<hex>`). An event moves the problem unless it is stale
 * (events are ordered on the provider's own clock), and is remembered with its provider time, all
 * in one transaction under the problem's row lock (`takeProviderEvent`).
 */
export function statusWebhookRoutes(app: Http, deps: IntegrationRouteDeps) {
  const { db } = deps.database;
  app.register(async (inner) => {
    // In place of the server's JSON parser (the nesting limit is checked after the signature).
    inner.removeContentTypeParser('application/json');
    inner.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    const scope = inner as unknown as Http;
    const verified = async (
      id: string,
      raw: unknown,
      header: string | undefined,
      prefix: string,
      kind: 'jira' | 'pagerduty',
    ) => {
      const integ = await db
        .selectFrom('integrations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      // An unknown id answers as a bad signature does, so ids cannot be probed from outside. A
      // disabled integration is one the desk no longer hears (as a disabled channel's webhook
      // is refused): it answers as an unknown id does, so an old secret moves no problem and
      // the answer does not tell that the id exists.
      const live = integ && integ.disabled_at === null ? integ : undefined;
      const secret = live?.secrets_enc
        ? decryptSecrets(deps.secretKey, live.id, live.secrets_enc).inboundSecret
        : undefined;
      if (
        !integ ||
        !live ||
        !secret ||
        !Buffer.isBuffer(raw) ||
        !verifyHmacHex(secret, raw, header, prefix)
      ) {
        throw new AppError('unauthenticated', 'signature does not match');
      }
      // Checked after the signature (only the integration's owner learns its kind): a Jira
      // integration's secret must not move problems through the PagerDuty route, whose events
      // it does not send and whose references (the dedup key) it never made.
      if (integ.kind !== kind) throw notFound('route for this integration');
      if (nestedTooDeeply(raw)) throw new AppError('bad_request', TOO_DEEP_MESSAGE);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AppError('bad_request', 'the body is not JSON');
      }
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw new AppError('bad_request', 'the body is not a JSON object');
      return { integ, body: body as Record<string, unknown> };
    };
    /** The open problem whose reference (`refOf` its references) is `value`. */
    const findProblem = async (
      ws: string,
      refOf: (refs: Record<string, string>) => string | undefined,
      value: string,
    ) => {
      const rows = await db
        .selectFrom('problems')
        .select(['id', 'external_refs_json', 'status'])
        .where('workspace_id', '=', ws)
        .where('status', '!=', 'closed')
        .execute();
      return rows.find(
        (r) => refOf(JSON.parse(r.external_refs_json) as Record<string, string>) === value,
      );
    };
    // What a status webhook answers (`verified` above). Public routes get only 400 and 404 from
    // withCommonResponses; the 401 is this route's own, and an unknown id answers it, not 404.
    const webhookResponses = {
      200: Json('accepted (whether or not it moved a problem)'),
      401: Refusal(
        'unauthenticated: the signature does not match, or the id is unknown or its integration disabled (all answer alike)',
      ),
      404: Refusal(
        'not_found: a correctly signed call to the route of another kind of integration',
      ),
    };
    scope.post(
      '/api/v1/integrations/:id/jira-webhook',
      {
        config: { public: true },
        schema: {
          response: webhookResponses,
          tags: ['integrations'],
          summary:
            "Jira's issue webhook (signed with the integration's secret, X-Hub-Signature: sha256=…): a status change moves the problem",
        },
      },
      async (req) => {
        const { integ, body } = await verified(
          (req.params as { id: string }).id,
          req.body,
          req.headers['x-hub-signature'] as string | undefined,
          'sha256=',
          'jira',
        );
        const issue = body.issue as
          | { key?: string; fields?: { status?: { statusCategory?: { key?: string } } } }
          | undefined;
        const cat = issue?.fields?.status?.statusCategory?.key;
        // Only a change of the issue's status says something about the problem. Every other
        // update (our own comment on a fix, an edit, a new assignee) carries the issue's current
        // status too, which may lag behind the problem: taking it would undo the desk's fix.
        const changelog = body.changelog as { items?: unknown } | undefined;
        const statusChanged =
          Array.isArray(changelog?.items) &&
          changelog.items.some(
            (i) => !!i && typeof i === 'object' && (i as { field?: unknown }).field === 'status',
          );
        // Jira's top-level `timestamp` is epoch ms.
        const at =
          typeof body.timestamp === 'number' && Number.isFinite(body.timestamp)
            ? body.timestamp
            : null;
        if (issue?.key && cat && statusChanged) {
          const p = await findProblem(
            integ.workspace_id,
            (refs) => jiraKeyOf(refs, integ.id),
            issue.key,
          );
          // This integration by name: its own escalation of the change must not move its issue
          // back, another Jira integration's must follow (dispatch.ts, changedByProvider).
          if (p)
            await takeProviderEvent(db, deps.clock, integ, p.id, {
              target: (status) => jiraStatusTarget(cat, status),
              at,
              actorId: jiraActor(integ.id),
              reported: cat,
            });
        }
        return { ok: true };
      },
    );
    scope.post(
      '/api/v1/integrations/:id/pagerduty-webhook',
      {
        config: { public: true },
        schema: {
          response: webhookResponses,
          tags: ['integrations'],
          summary:
            "PagerDuty's incident webhook (signed with the integration's secret, X-PagerDuty-Signature: v1=…): resolving, reopening or acknowledging an incident moves the problem",
        },
      },
      async (req) => {
        const { integ, body } = await verified(
          (req.params as { id: string }).id,
          req.body,
          req.headers['x-pagerduty-signature'] as string | undefined,
          'v1=',
          'pagerduty',
        );
        const ev = body.event as
          | { event_type?: string; occurred_at?: unknown; data?: { incident_key?: string } }
          | undefined;
        const key = ev?.data?.incident_key;
        if (key && ev?.event_type) {
          const p = await findProblem(integ.workspace_id, (refs) => refs.pagerduty, key);
          const occurred =
            typeof ev.occurred_at === 'string' ? Date.parse(ev.occurred_at) : Number.NaN;
          const at = Number.isFinite(occurred) ? occurred : null;
          const type = ev.event_type;
          if (p)
            await takeProviderEvent(db, deps.clock, integ, p.id, {
              target: (status) => pagerDutyStatusTarget(type, status),
              at,
              actorId: pagerDutyActor(integ.id),
              reported: type,
            });
        }
        return { ok: true };
      },
    );
  });
}
