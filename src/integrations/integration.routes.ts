import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { decryptSecrets, encryptSecrets } from '../channels/channel.crypto.js';
import { canSend, type EmailConfig } from '../channels/email/email.types.js';
import type { Database } from '../platform/db/database.js';
import type { DB } from '../platform/db/schema.js';
import { badRequest, notFound } from '../platform/errors.js';
import { NoContent } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import type { IntegrationKind } from './dispatch.js';
import { resumeEscalations } from './dispatch.js';
import { checkIntegration, mergePatch } from './integration.config.js';
import { DeliveryStatusDto, deliveryStatus } from './integration.status.js';
import { statusWebhookRoutes } from './status-webhooks.js';

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
  Type.Literal('email'),
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

/** Whether some enabled e-mail channel of the workspace can send (has its SMTP side). */
async function mailCanGo(db: Kysely<DB>, workspaceId: string): Promise<boolean> {
  const rows = await db
    .selectFrom('channels')
    .select('config_json')
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', 'email')
    .where('disabled_at', 'is', null)
    .execute();
  return rows.some((r) => canSend(JSON.parse(r.config_json) as EmailConfig));
}

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
          'Add an escalation target: webhook {url}+{secret}; jira {baseUrl, projectKey, email}+{apiToken}; pagerduty {}+{routingKey}; slack {}+{webhookUrl}; email {lead?, to?}+{} (the owner team’s lead, by mail); optional inboundSecret',
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
      if (kind === 'email' && !(await mailCanGo(db, req.actor.workspaceId)))
        throw badRequest(
          'an email target sends through an email channel with SMTP settings (host, port, from): add one first',
        );
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

  // The status webhooks coming back from Jira and PagerDuty (status-webhooks.ts).
  statusWebhookRoutes(app, deps);
}
