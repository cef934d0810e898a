import { sql } from 'kysely';
import { keyOfWritten } from '../../../customers/identity.keys.js';
import { type SuggestionDraft, saveSuggestions } from '../../../customers/suggestions.js';
import { insertRows } from '../../../platform/db/bulk.js';
import type { Priority } from '../../../platform/db/schema.js';
import { newId } from '../../../platform/ids.js';
import { higher, PRIORITY_RANK, priorityOf } from '../../../routing/priority.js';
import { REPUTATION_FOLLOWERS } from '../../../routing/reputation.js';
import { type CompiledRule, chooseQueue, groupKeyOf } from '../../../routing/rules.js';
import { planSla } from '../../../sla/sla.pipeline.js';
import type { BatchState, Stage, StageContext, WorkItem } from '../types.js';

/** What the route stage decided that others hear about after the batch commits. */
export interface RouteOutcome {
  reputationAlerts: { id: string; customerId: string; caseId: string | null; followers: number }[];
  /** Cases that may need automatic assignment (new, reopened). */
  toAssign: string[];
}

const outcomes = new WeakMap<BatchState, RouteOutcome>();

/** The route stage's outcome for a committed batch (live events, wake the assigner). */
export function routeOutcome(batch: BatchState): RouteOutcome | undefined {
  return outcomes.get(batch);
}

/**
 * Routing by need, batch-wide (a fixed number of queries per batch, none per message):
 * - queue of each new case from the routing rules (first match by position, else default);
 * - priority from need (`src/routing/priority.ts`), never from reach; it only rises on later
 *   messages (an agent may lower it by hand);
 * - the surge group key (`outage:94110`) the problems engine links to a problem;
 * - reputation alerts for high-reach public posts (a record and a live event; no queue effect);
 * - suggestions when a message names another customer's phone, email or account number;
 * - SLA clocks, started at the message's event time (`src/sla`).
 * Assignment happens right after commit (the assigner needs every node's current load).
 */
export const route: Stage = {
  name: 'route',
  async run(batch: BatchState, ctx: StageContext) {
    const outcome: RouteOutcome = { reputationAlerts: [], toAssign: [] };
    outcomes.set(batch, outcome);
    const ws = ctx.settings.workspaceId;
    const inbound = new Map<string, WorkItem[]>();
    for (const item of batch.items) {
      if (!item.msg || item.rejected || item.duplicate || !item.caseId) continue;
      if (item.direction !== 'in') continue;
      const list = inbound.get(item.caseId) ?? [];
      inbound.set(item.caseId, list);
      list.push(item);
    }
    const created = [...batch.cases.values()].filter((c) => c.isNew);
    const rules = created.length > 0 ? await loadRules(ctx) : [];
    const attributes = rules.some((r) => r.conditions.customer)
      ? await loadAttributes(
          ctx,
          created.map((c) => c.customerId),
        )
      : new Map<string, Record<string, unknown>>();

    const raised = new Map<Priority, { ids: string[] }>();
    for (const c of batch.cases.values()) {
      const items = inbound.get(c.id);
      if (!items?.length) continue;
      let best: { score: number; priority: Priority } | null = null;
      for (const item of items) {
        const t = item.triage;
        const waitingMs = c.firstResponseAt === null && !c.isNew ? item.sentAt - c.openedAt : 0;
        const p = priorityOf({
          topic: t?.topic ?? 'other',
          urgency: t?.urgency ?? [],
          complaint: t?.complaint ?? false,
          sentiment: t?.sentiment ?? 0,
          waitingMs,
        });
        if (!best || p.score > best.score) best = p;
      }
      if (!best) continue;
      if (c.isNew) {
        const first = items[0];
        c.priority = best.priority;
        c.queueId =
          chooseQueue(rules, {
            channel: c.channel,
            language: first.triage?.language ?? null,
            triage: first.triage,
            customerAttributes: attributes.get(c.customerId) ?? {},
          }) ??
          c.queueId ??
          ctx.settings.defaultQueueId;
        c.routing = {
          topic: first.triage?.topic ?? null,
          priorityScore: best.score,
          groupKey: groupKeyOf(first.triage),
        };
        // History lands resolved: nothing for an agent to take.
        if (!c.history) outcome.toAssign.push(c.id);
      } else if (PRIORITY_RANK[best.priority] > PRIORITY_RANK[c.priority]) {
        const entry = raised.get(best.priority) ?? { ids: [] };
        raised.set(best.priority, entry);
        entry.ids.push(c.id);
        batch.caseEvents.push({
          caseId: c.id,
          type: 'priority_changed',
          data: { from: c.priority, to: best.priority, why: 'need rose', score: best.score },
          eventAt: items[items.length - 1].sentAt,
        });
        c.priority = higher(c.priority, best.priority);
      }
      if (!c.isNew && items.some((i) => i.caseAction === 'reopened')) outcome.toAssign.push(c.id);
    }
    for (const [priority, { ids }] of raised) {
      for (let i = 0; i < ids.length; i += 1000) {
        await ctx.trx
          .updateTable('cases')
          .set({ priority })
          .where('id', 'in', ids.slice(i, i + 1000))
          .execute();
      }
    }
    const reopened = [...batch.cases.values()].filter(
      (c) => !c.isNew && inbound.get(c.id)?.some((i) => i.caseAction === 'reopened'),
    );
    if (reopened.length > 0) {
      await ctx.trx
        .updateTable('cases')
        .set({ reopen_count: sql<number>`reopen_count + 1` })
        .where(
          'id',
          'in',
          reopened.map((c) => c.id),
        )
        .execute();
    }

    await reputation(batch, ctx, outcome);
    await suggestFromWrittenIdentifiers(batch, ctx);
    await planSla(batch, ctx, ws);
  },
};

async function loadRules(ctx: StageContext): Promise<CompiledRule[]> {
  const rows = await ctx.trx
    .selectFrom('routing_rules')
    .select(['id', 'queue_id', 'conditions_json'])
    .where('workspace_id', '=', ctx.settings.workspaceId)
    .where('enabled', '=', 1)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    queueId: r.queue_id,
    conditions: JSON.parse(r.conditions_json),
  }));
}

async function loadAttributes(ctx: StageContext, customerIds: string[]) {
  const out = new Map<string, Record<string, unknown>>();
  const ids = [...new Set(customerIds)];
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await ctx.trx
      .selectFrom('customers')
      .select(['id', 'attributes_json'])
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
    for (const r of rows) out.set(r.id, JSON.parse(r.attributes_json ?? '{}'));
  }
  return out;
}

/** High-reach public posts raise a reputation alert; the case's priority is not touched. */
async function reputation(batch: BatchState, ctx: StageContext, outcome: RouteOutcome) {
  const rows = [];
  for (const item of batch.items) {
    const m = item.msg;
    if (!m || item.rejected || item.duplicate || item.direction !== 'in') continue;
    // An old high-reach post is not news to act on.
    if (item.history) continue;
    if (item.visibility !== 'public' || (m.author.followers ?? 0) < REPUTATION_FOLLOWERS) continue;
    const id = newId();
    rows.push({
      id,
      workspace_id: ctx.settings.workspaceId,
      customer_id: item.customerId!,
      case_id: item.caseId,
      channel: m.channel,
      external_id: m.externalId,
      followers: m.author.followers ?? 0,
      excerpt: item.text.slice(0, 280),
      sent_at: item.sentAt,
      acknowledged_at: null,
      acknowledged_by: null,
      created_at: ctx.now,
    });
    outcome.reputationAlerts.push({
      id,
      customerId: item.customerId!,
      caseId: item.caseId,
      followers: m.author.followers ?? 0,
    });
  }
  await insertRows(ctx.trx, ctx.caps, 'reputation_alerts', rows, {
    onConflict: { columns: ['workspace_id', 'channel', 'external_id'] },
  });
}

/** A phone, email or account number written in a message that another customer owns: suggest. */
async function suggestFromWrittenIdentifiers(batch: BatchState, ctx: StageContext) {
  const wanted = new Map<string, { item: WorkItem; written: string }[]>();
  for (const item of batch.items) {
    if (!item.triage?.pii.length || !item.customerId || item.direction !== 'in') continue;
    for (const span of item.triage.pii) {
      if (span.kind !== 'phone' && span.kind !== 'email' && span.kind !== 'account') continue;
      const written = item.text.slice(span.start, span.end);
      const k = keyOfWritten(span.kind, written);
      if (!k) continue;
      const list = wanted.get(k) ?? [];
      wanted.set(k, list);
      list.push({ item, written });
    }
  }
  if (wanted.size === 0) return;
  const keys = [...wanted.keys()];
  const drafts: SuggestionDraft[] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await ctx.trx
      .selectFrom('identities')
      .select(['id', 'customer_id', 'link_key', 'channel', 'address'])
      .where('workspace_id', '=', ctx.settings.workspaceId)
      .where('link_key', 'in', keys.slice(i, i + 1000))
      .execute();
    for (const r of rows) {
      for (const { item, written } of wanted.get(r.link_key!) ?? []) {
        if (r.customer_id === item.customerId) continue;
        drafts.push({
          customerA: item.customerId!,
          customerB: r.customer_id,
          kind: 'identifier_in_message',
          score: 0.9,
          evidence: {
            identifier: r.link_key,
            written,
            channel: item.msg!.channel,
            externalId: item.msg!.externalId,
            visibility: item.visibility,
            matchedIdentity: { id: r.id, channel: r.channel, address: r.address },
          },
        });
      }
    }
  }
  await saveSuggestions(ctx.trx, ctx.settings.workspaceId, drafts, ctx.now);
}
