import { Type } from '@sinclair/typebox';
import { decryptSecrets, encryptSecrets } from '../channels/channel.crypto.js';
import type { Database } from '../platform/db/database.js';
import { AppError, notFound } from '../platform/errors.js';
import { nestedTooDeeply, TOO_DEEP_MESSAGE } from '../platform/http/json-depth.js';
import { Json, NoContent, Refusal } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import { changeProblem } from '../problems/problem.service.js';
import type { ProblemStatus } from '../problems/problem.store.js';
import { jiraKeyOf } from './adapters.js';
import type { IntegrationKind } from './dispatch.js';
import { jiraActor, resumeEscalations } from './dispatch.js';
import { checkIntegration, mergePatch } from './integration.config.js';
import { DeliveryStatusDto, deliveryStatus } from './integration.status.js';
import { verifyHmacHex } from './sign.js';

export interface IntegrationRouteDeps {
  database: Database;
  secretKey: Buffer;
  clock: () => number;
}

const Kind = Type.Union([
  Type.Literal('webhook'),
  Type.Literal('jira'),
  Type.Literal('pagerduty'),
  Type.Literal('slack'),
]);
const IntegrationDto = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  config: Type.Record(Type.String(), Type.Unknown()),
  enabled: Type.Boolean(),
  /** In the list: how its deliveries fare (integration.status.ts). */
  delivery: Type.Optional(DeliveryStatusDto),
});

/**
 * Escalation targets (admin) and the status webhooks coming back from Jira and PagerDuty.
 * Inbound webhooks are public routes verified by HMAC over the raw body with the integration's
 * `inboundSecret`: Jira sends `X-Hub-Signature: sha256=<hex>`, PagerDuty (v3 webhooks)
 * `X-PagerDuty-Signature: v1=<hex>`.
 */
/** What the API shows of an integration: never its secrets. */
const dto = (r: {
  id: string;
  kind: string;
  name: string;
  config_json: string;
  disabled_at: unknown;
}) => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  config: JSON.parse(r.config_json) as Record<string, unknown>,
  enabled: r.disabled_at === null,
});

export function integrationRoutes(app: Http, deps: IntegrationRouteDeps) {
  const { db } = deps.database;
  app.get(
    '/api/v1/integrations',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['integrations'],
        summary:
          'Escalation targets (secrets never shown), each with its delivery status: pending and given-up events, the last failure and its reason',
        response: { 200: Type.Object({ items: Type.Array(IntegrationDto) }) },
      },
    },
    async (req) => {
      const rows = await db
        .selectFrom('integrations')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .orderBy('id')
        .execute();
      const items = [];
      for (const r of rows)
        items.push({ ...dto(r), delivery: await deliveryStatus(deps.database, r.id) });
      return { items };
    },
  );
  app.post(
    '/api/v1/integrations',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['integrations'],
        summary:
          'Add an escalation target: webhook {url}+{secret}; jira {baseUrl, projectKey, email}+{apiToken}; pagerduty {}+{routingKey}; slack {}+{webhookUrl}; optional inboundSecret',
        body: Type.Object(
          {
            kind: Kind,
            name: Type.String({ minLength: 1, maxLength: 100 }),
            // Optional: Slack and PagerDuty need none (their URL or key is a secret). The fields
            // a kind requires are still checked by checkIntegration, which names the field at fault.
            config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            secrets: Type.Record(Type.String(), Type.Unknown()),
          },
          { additionalProperties: false },
        ),
        response: { 201: IntegrationDto },
      },
    },
    async (req, reply) => {
      const { kind, name, config = {}, secrets } = req.body;
      checkIntegration(kind, config, secrets);
      const id = newId();
      await db
        .insertInto('integrations')
        .values({
          id,
          workspace_id: req.actor.workspaceId,
          kind,
          name,
          config_json: JSON.stringify(config),
          secrets_enc: encryptSecrets(deps.secretKey, id, secrets as Record<string, string>),
          created_at: deps.clock(),
          disabled_at: null,
        })
        .execute();
      reply.code(201);
      return { id, kind, name, config, enabled: true };
    },
  );

  app.patch(
    '/api/v1/integrations/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['integrations'],
        summary:
          'Change an escalation target: name, enabled, config and secrets laid over the current ones (null removes an optional field); secrets are write-only',
        params: Type.Object({ id: Type.String() }),
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            enabled: Type.Optional(Type.Boolean()),
            config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            secrets: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false },
        ),
        response: { 200: IntegrationDto },
      },
    },
    async (req) => {
      const row = await ownIntegration(req.actor.workspaceId, req.params.id);
      const { name, enabled, config, secrets } = req.body;
      const kind = row.kind as IntegrationKind;
      const nextConfig = mergePatch(JSON.parse(row.config_json) as Record<string, unknown>, config);
      const current = row.secrets_enc
        ? decryptSecrets(deps.secretKey, row.id, row.secrets_enc)
        : {};
      const nextSecrets = mergePatch<unknown>(current, secrets);
      // The whole result is checked: a patch must not leave a target that cannot deliver.
      checkIntegration(kind, nextConfig, nextSecrets);
      const set: Record<string, unknown> = { config_json: JSON.stringify(nextConfig) };
      if (name !== undefined) set.name = name;
      if (secrets !== undefined)
        set.secrets_enc = encryptSecrets(
          deps.secretKey,
          row.id,
          nextSecrets as Record<string, string>,
        );
      // Disabling keeps the first disabling time; enabling clears it.
      if (enabled === false && row.disabled_at === null) set.disabled_at = deps.clock();
      if (enabled === true) set.disabled_at = null;
      await db.updateTable('integrations').set(set).where('id', '=', row.id).execute();
      // The events held while it was disabled go out now (dispatch.ts).
      if (enabled === true && row.disabled_at !== null)
        await resumeEscalations(deps.database, row.id, deps.clock());
      return dto(await ownIntegration(req.actor.workspaceId, row.id));
    },
  );
  app.delete(
    '/api/v1/integrations/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        response: { 204: NoContent },
        tags: ['integrations'],
        summary: 'Remove an escalation target (its queued escalations are dropped undelivered)',
        params: Type.Object({ id: Type.String() }),
      },
    },
    async (req, reply) => {
      const row = await ownIntegration(req.actor.workspaceId, req.params.id);
      // Pending rows would find no integration and end as delivered no-ops (dispatch.ts).
      await db.deleteFrom('integrations').where('id', '=', row.id).execute();
      reply.code(204);
    },
  );
  /** An integration of the workspace, or 404 (another workspace's looks the same as none). */
  const ownIntegration = async (ws: string, id: string) => {
    const row = await db
      .selectFrom('integrations')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('integration');
    return row;
  };

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
    /**
     * When the problem's status last changed (wall time of our change), or when it was made:
     * a provider event that happened before it reports a state we have moved on from (a webhook
     * delivered late or out of order) and must not move the problem back.
     */
    const lastStatusChangeAt = async (problemId: string): Promise<number> => {
      const ev = await db
        .selectFrom('problem_events')
        .select((eb) => eb.fn.max('created_at').as('at'))
        .where('problem_id', '=', problemId)
        .where('type', '=', 'status_changed')
        .executeTakeFirst();
      if (ev?.at !== null && ev?.at !== undefined) return Number(ev.at);
      const p = await db
        .selectFrom('problems')
        .select('created_at')
        .where('id', '=', problemId)
        .executeTakeFirst();
      return p ? Number(p.created_at) : 0;
    };
    /** An event time (epoch ms) older than the problem's last status change. */
    const stale = async (problemId: string, at: number | null) =>
      at !== null && at < (await lastStatusChangeAt(problemId));
    const apply = async (
      ws: string,
      problemId: string,
      to: ProblemStatus,
      from: string,
      source: string,
    ) => {
      if (to === from) return;
      await changeProblem(
        db,
        { type: 'system', id: source, workspaceId: ws, person: true },
        problemId,
        { status: to },
        deps.clock(),
      ).catch((err) => {
        if (!(err instanceof AppError && err.code === 'invalid_transition')) throw err;
      });
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
          // Jira status categories: new / indeterminate (in progress) / done.
          if (p && !(await stale(p.id, at)))
            await apply(
              integ.workspace_id,
              p.id,
              cat === 'done'
                ? 'fixed'
                : cat === 'indeterminate'
                  ? 'fixing'
                  : (p.status as ProblemStatus),
              p.status,
              // This integration by name: its own escalation of the change must not move its
              // issue back, another Jira integration's must follow (dispatch.ts, changedByJira).
              jiraActor(integ.id),
            );
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
          // Resolved: fixed. Reopened after a resolve: the team is on it again. Acknowledged:
          // the team is on it, which is news only before work started; an acknowledge after
          // the fix is the echo of our own acknowledge sent while fixing, not a reopening.
          const to =
            ev.event_type === 'incident.resolved'
              ? 'fixed'
              : ev.event_type === 'incident.reopened'
                ? 'fixing'
                : ev.event_type === 'incident.acknowledged' &&
                    (p?.status === 'suspected' || p?.status === 'confirmed')
                  ? 'fixing'
                  : null;
          const occurred =
            typeof ev.occurred_at === 'string' ? Date.parse(ev.occurred_at) : Number.NaN;
          const at = Number.isFinite(occurred) ? occurred : null;
          if (p && to && !(await stale(p.id, at)))
            await apply(integ.workspace_id, p.id, to, p.status, 'pagerduty');
        }
        return { ok: true };
      },
    );
  });
}
