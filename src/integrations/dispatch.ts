import { decryptSecrets } from '../channels/channel.crypto.js';
import { ConnectorError } from '../channels/connector-error.js';
import type { StaffMailer } from '../channels/email/email.staff.js';
import type { Database } from '../platform/db/database.js';
import { OutboxDeferred, type OutboxHandler } from '../platform/outbox/outbox.worker.js';
import {
  type MergeTarget,
  type ProblemSnapshot,
  snapshotArea,
  snapshotFromRow,
} from '../problems/escalate.js';
import {
  type AdapterResult,
  type ProblemPayload,
  sendJira,
  sendPagerDuty,
  sendSlack,
  sendWebhook,
  type UpdatePayload,
} from './adapters.js';
import { type StaffEmailConfig, sendStaffEmail } from './staff-email.js';
import { recordPushed } from './status-echo.js';

export const INTEGRATION_KINDS = ['webhook', 'jira', 'pagerduty', 'slack', 'email'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/**
 * How long a row waits, at most, for an earlier row of the same integration and problem before
 * it looks again. A leased row looks due a minute ahead (the lease), so waiting until the earlier
 * row's next attempt would hold this one up to a minute after the earlier one is delivered.
 */
export const ESCALATION_WAIT_MAX_MS = 5_000;
const ESCALATION_WAIT_MIN_MS = 500;
/**
 * How often a row of a disabled integration looks again. Enabling it makes its rows due at once
 * (`resumeEscalations`); this only bounds the wait should it be enabled some other way.
 */
const DISABLED_RECHECK_MS = 10 * 60_000;

/**
 * Makes the escalations held while an integration was disabled due now (PATCH `enabled: true`),
 * rather than at their next look up to `DISABLED_RECHECK_MS` later.
 */
export async function resumeEscalations(
  database: Database,
  integrationId: string,
  now: number,
): Promise<void> {
  // queueEscalations writes `problem_escalate:<integration>:<problem>:<event>:<row id>`.
  await database.db
    .updateTable('outbox')
    .set({ next_attempt_at: now })
    .where('kind', '=', 'problem_escalate')
    .where('status', '=', 'pending')
    .where('idempotency_key', 'like', `problem_escalate:${integrationId}:%`)
    .where('next_attempt_at', '>', now)
    .execute();
}

export interface DispatchDeps {
  database: Database;
  secretKey: Buffer;
  publicUrl: string;
  clock: () => number;
  /** The desk's outgoing mail for `email` targets (src/channels/email/email.staff.ts). */
  mailStaff?: StaffMailer;
}

/**
 * Outbox handler for `problem_escalate`: one problem event to one integration.
 *
 * The events of one problem to one integration go out one at a time and in order: while an
 * earlier row for the same pair is still pending (queued, backing off, or being delivered by
 * another node), this one waits (`OutboxDeferred`, tried again shortly). Otherwise two
 * nodes delivering `problem.opened` and the next event at once would both find no Jira issue
 * and create two, and a comment could precede the issue it belongs to. The wait is not an
 * attempt, so a long back-off of the earlier row does not use up this one's attempts (the
 * earlier row ends delivered or failed, so the wait ends).
 */
export function escalationHandler(deps: DispatchDeps): OutboxHandler {
  const { db } = deps.database;
  return async (payload, idempotencyKey, row) => {
    const { integrationId, problemId, event, update, mergedInto, at, ...queued } = payload as {
      integrationId: string;
      problemId: string;
      event: string;
      /** When the change was made (escalate.ts); its history event has the same time. */
      at?: number;
      /** The problem at the event (rows queued before snapshots have none: read it now). */
      problem?: ProblemSnapshot | null;
      update?: UpdatePayload;
      /** A `problem.closed` of a merge: the problem it went into (escalate.ts). */
      mergedInto?: MergeTarget;
    };
    const integ = await db
      .selectFrom('integrations')
      .selectAll()
      .where('id', '=', integrationId)
      .executeTakeFirst();
    // Removed: its queued events are dropped with it (DELETE /api/v1/integrations/:id).
    if (!integ) return;
    // Disabled after the event was queued: the event waits, undelivered and counted pending, and
    // goes out in order once the integration is enabled again (`resumeEscalations` makes it due
    // then). The wait is no attempt. It was once taken as delivered, though nothing was sent.
    if (integ.disabled_at !== null)
      throw new OutboxDeferred(
        'the integration is disabled; sent when it is enabled again',
        DISABLED_RECHECK_MS,
      );
    if (row) await waitForEarlier(deps, integrationId, problemId, row.id);
    const p = await db
      .selectFrom('problems')
      .selectAll()
      .where('id', '=', problemId)
      .executeTakeFirst();
    if (!p) return;
    // References are read now: earlier deliveries may have learned one (the Jira issue key).
    const externalRefs = JSON.parse(p.external_refs_json) as Record<string, string>;
    // The problem's API resource: the desk serves no page of its own at `/problems/<id>`, and a
    // link that answers 404 in a Slack message or a Jira issue is worse than one that asks for
    // a sign-in.
    const url = `${deps.publicUrl.replace(/\/+$/, '')}/api/v1/problems/${p.id}`;
    const snapshot = queued.problem ?? snapshotFromRow(p);
    const problem: ProblemPayload = {
      ...snapshot,
      // Rows queued before the area had the API's shape carry null for a problem with no place.
      area: snapshotArea(snapshot.area),
      lead: snapshot.lead ?? null,
      url,
      externalRefs,
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
    // Each status the call makes the provider take, recorded (committed) before the call.
    const willPush = (reported: string) =>
      recordPushed(db, integ.workspace_id, p.id, integ.id, reported, deps.clock());
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
          update,
          mergedInto,
        );
        break;
      case 'jira':
        res = await sendJira(
          cfg,
          secrets as { apiToken: string },
          event,
          problem,
          integ.id,
          update,
          {
            currentStatus: p.status,
            fromJira: await changedByProvider(deps.database, p.id, event, at, [
              jiraActor(integ.id),
              'jira',
            ]),
            willPush,
          },
          mergedInto,
        );
        break;
      case 'pagerduty':
        // A change PagerDuty's own webhook made (a reopened incident) is where PagerDuty put it:
        // acknowledging it back would silence the page nobody at the desk took.
        if (await changedByProvider(deps.database, p.id, event, at, pagerDutyActors(integ.id))) {
          res = {};
          break;
        }
        // `problem.status` is the status at the event (its snapshot), `p.status` the one now.
        res = await sendPagerDuty(
          cfg,
          secrets as { routingKey: string },
          event,
          problem,
          p.status,
          integ.id,
          mergedInto,
          willPush,
        );
        break;
      case 'slack':
        res = await sendSlack(
          cfg,
          secrets as { webhookUrl: string },
          event,
          problem,
          update,
          mergedInto,
        );
        break;
      case 'email':
        res = await sendStaffEmail(
          { db, mail: deps.mailStaff },
          cfg as StaffEmailConfig,
          integ.workspace_id,
          event,
          problem,
          idempotencyKey,
          update,
          mergedInto,
        );
        break;
      default:
        throw new ConnectorError('bad_request', `unknown integration kind ${integ.kind}`);
    }
    if (res.refs || res.defaults)
      await mergeRefs(deps.database, p.id, res.refs ?? {}, res.defaults ?? {});
    // Not retried (it would not help), but kept as the row's error for the delivery status.
    if (res.note) throw new ConnectorError('bad_request', res.note);
  };
}

/**
 * The actor id of a change made by a Jira integration's status webhook. Per integration: with
 * one id for all (`jira`) a change that came from Jira A was taken for one from Jira B as well,
 * and B's issue was never moved.
 */
export const jiraActor = (integrationId: string) => `jira:${integrationId}`;

/**
 * The actor id of a change made by a PagerDuty integration's status webhook (per integration, as
 * for Jira: another PagerDuty service still hears of the change).
 */
export const pagerDutyActor = (integrationId: string) => `pagerduty:${integrationId}`;

/**
 * A change by this PagerDuty integration. (Changes recorded before actors were per integration,
 * as `pagerduty`, were sent back to PagerDuty then, and still are.)
 */
const pagerDutyActors = (integrationId: string) => [pagerDutyActor(integrationId)];

/**
 * Whether the status change behind `event` was made by a provider's status webhook, one of
 * `actors`: those change the problem as a system actor (`jiraActor`, `pagerDutyActor`), and
 * their history event is written at the time the escalation was queued with. The issue or
 * incident is then where the provider put it; another integration's still follows. A Jira change
 * recorded before actors were per integration (`jira`) counts for every Jira integration, as it
 * did then (`pagerDutyActors` says why an old `pagerduty` one does not).
 */
async function changedByProvider(
  database: Database,
  problemId: string,
  event: string,
  at: number | undefined,
  actors: readonly string[],
): Promise<boolean> {
  if (at === undefined || event === 'problem.updated' || event === 'problem.opened') return false;
  const ev = await database.db
    .selectFrom('problem_events')
    .select(['actor_type', 'actor_id'])
    .where('problem_id', '=', problemId)
    .where('type', '=', 'status_changed')
    .where('created_at', '=', at)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return ev?.actor_type === 'system' && actors.includes(ev.actor_id ?? '');
}

/**
 * Adds `refs` to the problem's external references as they are now, not as this delivery read
 * them before its network call: the row is locked (a no-op update, which SQLite and PostgreSQL
 * both take as a write lock) and re-read in one transaction, so concurrent deliveries for one
 * problem (Jira and PagerDuty rows of one event, on two nodes) each keep the other's key.
 */
async function mergeRefs(
  database: Database,
  problemId: string,
  refs: Record<string, string>,
  defaults: Record<string, string>,
) {
  await database.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('problems')
      .set((eb) => ({ id: eb.ref('id') }))
      .where('id', '=', problemId)
      .execute();
    const cur = await trx
      .selectFrom('problems')
      .select('external_refs_json')
      .where('id', '=', problemId)
      .executeTakeFirst();
    if (!cur) return;
    const merged = {
      ...defaults,
      ...(JSON.parse(cur.external_refs_json) as Record<string, string>),
      ...refs,
    };
    await trx
      .updateTable('problems')
      .set({ external_refs_json: JSON.stringify(merged) })
      .where('id', '=', problemId)
      .execute();
  });
}

/**
 * Defers the row (`OutboxDeferred`) while an earlier `problem_escalate` row for the same
 * integration and problem is pending. Rows are ordered by creation time, then id (ids are
 * time-ordered UUIDv7, and rows of one transaction share a creation time).
 */
async function waitForEarlier(
  deps: DispatchDeps,
  integrationId: string,
  problemId: string,
  rowId: string,
) {
  const { db } = deps.database;
  const me = await db
    .selectFrom('outbox')
    .select(['created_at'])
    .where('id', '=', rowId)
    .executeTakeFirst();
  if (!me) return;
  const mine = Number(me.created_at);
  // queueEscalations writes `problem_escalate:<integration>:<problem>:<event>:<row id>`.
  const prefix = `problem_escalate:${integrationId}:${problemId}:`;
  const earlier = await db
    .selectFrom('outbox')
    .select(['id', 'next_attempt_at'])
    .where('kind', '=', 'problem_escalate')
    .where('status', '=', 'pending')
    .where('idempotency_key', 'like', `${prefix}%`)
    .where('id', '!=', rowId)
    .where((eb) =>
      eb.or([
        eb('created_at', '<', mine),
        eb.and([eb('created_at', '=', mine), eb('id', '<', rowId)]),
      ]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirst();
  if (!earlier) return;
  const due = Number(earlier.next_attempt_at) - deps.clock();
  const wait = Math.min(Math.max(due, ESCALATION_WAIT_MIN_MS), ESCALATION_WAIT_MAX_MS);
  throw new OutboxDeferred(
    `waiting for an earlier escalation of this problem to this integration (${earlier.id})`,
    wait,
  );
}
