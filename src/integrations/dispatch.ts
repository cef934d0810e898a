import { decryptSecrets } from '../channels/channel.crypto.js';
import { ConnectorError } from '../channels/connector-error.js';
import type { Database } from '../platform/db/database.js';
import type { OutboxHandler } from '../platform/outbox/outbox.worker.js';
import {
  type AdapterResult,
  type ProblemPayload,
  sendJira,
  sendPagerDuty,
  sendSlack,
  sendWebhook,
} from './adapters.js';

export const INTEGRATION_KINDS = ['webhook', 'jira', 'pagerduty', 'slack'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

export interface DispatchDeps {
  database: Database;
  secretKey: Buffer;
  publicUrl: string;
  clock: () => number;
}

/** Outbox handler for `problem_escalate`: one problem event to one integration. */
export function escalationHandler(deps: DispatchDeps): OutboxHandler {
  const { db } = deps.database;
  return async (payload, idempotencyKey) => {
    const { integrationId, problemId, event } = payload as {
      integrationId: string;
      problemId: string;
      event: string;
    };
    const integ = await db
      .selectFrom('integrations')
      .selectAll()
      .where('id', '=', integrationId)
      .executeTakeFirst();
    if (!integ || integ.disabled_at !== null) return;
    const p = await db
      .selectFrom('problems')
      .selectAll()
      .where('id', '=', problemId)
      .executeTakeFirst();
    if (!p) return;
    const problem: ProblemPayload = {
      id: p.id,
      number: Number(p.number),
      status: p.status,
      title: p.title,
      topic: p.topic,
      area: p.area_json ? JSON.parse(p.area_json) : null,
      owner: p.owner,
      customerCount: Number(p.customer_count),
      messageCount: Number(p.message_count),
      detectedAt: new Date(Number(p.detected_at)).toISOString(),
      url: `${deps.publicUrl.replace(/\/+$/, '')}/problems/${p.id}`,
      externalRefs: JSON.parse(p.external_refs_json),
    };
    const cfg = JSON.parse(integ.config_json);
    let secrets: Record<string, string>;
    try {
      secrets = integ.secrets_enc
        ? decryptSecrets(deps.secretKey, integ.id, integ.secrets_enc)
        : {};
    } catch {
      throw new ConnectorError(
        'auth_revoked',
        'integration secrets cannot be decrypted; re-enter them',
      );
    }
    let res: AdapterResult;
    switch (integ.kind as IntegrationKind) {
      case 'webhook':
        res = await sendWebhook(
          cfg,
          secrets as { secret: string },
          event,
          problem,
          idempotencyKey,
          deps.clock(),
        );
        break;
      case 'jira':
        res = await sendJira(cfg, secrets as { apiToken: string }, event, problem);
        break;
      case 'pagerduty':
        res = await sendPagerDuty(cfg, secrets as { routingKey: string }, event, problem);
        break;
      case 'slack':
        res = await sendSlack(cfg, secrets as { webhookUrl: string }, event, problem);
        break;
      default:
        throw new ConnectorError('bad_request', `unknown integration kind ${integ.kind}`);
    }
    if (res.refs) {
      const refs = { ...problem.externalRefs, ...res.refs };
      await db
        .updateTable('problems')
        .set({ external_refs_json: JSON.stringify(refs) })
        .where('id', '=', p.id)
        .execute();
    }
  };
}
