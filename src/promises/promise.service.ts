import { type Kysely, sql } from 'kysely';
import { caseEvent } from '../cases/case.store.js';
import { refuseErasedCase } from '../customers/erased.js';
import { CHANNEL_KINDS } from '../ingest/inbound.schema.js';
import { renderTemplate } from '../macros/macro.service.js';
import { caseWriteTransaction } from '../platform/db/case-writes-lock.js';
import type { DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { newId } from '../platform/ids.js';
import type { Timer, TimerHandler } from '../platform/jobs/scheduler.js';
import type { LiveEvent } from '../platform/realtime/bus.js';
import { assertTeam, assertUser } from '../routing/routing.schema.js';

/**
 * Promises are first-class: "we'll call you back by 5 pm" is a row with a deadline, an owner
 * and a channel. A reminder timer fires before the deadline; a deadline timer breaks the promise
 * if it is still open — the case is escalated (urgent, flagged) and supervisors are told live.
 * Kept/broken counts per team and agent feed the scorecard and the problems engine.
 */
export const PROMISE_KINDS = ['callback', 'follow_up', 'credit', 'custom'] as const;
export type PromiseKind = (typeof PROMISE_KINDS)[number];

/** Default reminder: 10 minutes before the deadline (or half-way for short promises). */
export const DEFAULT_REMIND_BEFORE_MS = 10 * 60_000;

export interface PromiseInput {
  kind: PromiseKind;
  description: string;
  dueAt: number;
  remindAt?: number | null;
  channel?: string | null;
  address?: string | null;
  ownerUserId?: string | null;
  ownerTeamId?: string | null;
}

export type PromiseRow = Awaited<ReturnType<typeof loadPromise>>;
type Row = PromiseRow;

async function loadPromise(trx: Kysely<DB>, ws: string, id: string) {
  const p = await trx
    .selectFrom('promises')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!p) throw notFound('promise');
  return p;
}

export function toPromiseDto(p: Row) {
  const iso = (v: number | null) => (v === null ? null : new Date(Number(v)).toISOString());
  return {
    id: p.id,
    caseId: p.case_id,
    customerId: p.customer_id,
    kind: p.kind,
    description: p.description,
    dueAt: iso(p.due_at)!,
    remindAt: iso(p.remind_at),
    channel: p.channel,
    address: p.address,
    ownerUserId: p.owner_user_id,
    ownerTeamId: p.owner_team_id,
    status: p.status,
    createdBy: p.created_by,
    createdAt: iso(p.created_at)!,
    remindedAt: iso(p.reminded_at),
    settledAt: iso(p.settled_at),
    settledBy: p.settled_by,
    settledHow: p.settled_how,
  };
}

const MAX_AHEAD_MS = 366 * 86_400_000;

export async function createPromise(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: PromiseInput,
  now: number,
) {
  if (!input.description.trim()) throw new AppError('bad_request', 'a promise needs a description');
  if (input.dueAt <= now) throw new AppError('bad_request', 'dueAt must be in the future');
  // A promise's deadline and reminder drive timers, stats and escalations: a date centuries
  // ahead, a reminder after the deadline or a channel nothing can send on is a mistake to
  // refuse now, not a promise that can never be kept or reminded.
  if (input.dueAt > now + MAX_AHEAD_MS)
    throw new AppError('bad_request', 'dueAt must be within a year');
  if (typeof input.remindAt === 'number' && (input.remindAt > input.dueAt || input.remindAt < now))
    throw new AppError('bad_request', 'remindAt must be between now and dueAt');
  if (input.channel != null && !(CHANNEL_KINDS as readonly string[]).includes(input.channel))
    throw new AppError('bad_request', `unknown channel ${input.channel}`);
  return caseWriteTransaction(db, async (trx) => {
    // Stats are grouped by owner: a dangling one would be a row nobody is.
    if (input.ownerUserId)
      await assertUser(trx, actor.workspaceId, input.ownerUserId, 'ownerUserId');
    if (input.ownerTeamId)
      await assertTeam(trx, actor.workspaceId, input.ownerTeamId, 'ownerTeamId');
    const c = await trx
      .selectFrom('cases')
      .select(['id', 'customer_id', 'channel', 'assignee_id', 'queue_id', 'erased_at'])
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (!c) throw notFound('case');
    // A promise's text and address (a callback number) would be new personal data.
    await refuseErasedCase(trx, c);
    let team = input.ownerTeamId ?? null;
    if (!team && c.queue_id) {
      team =
        (
          await trx
            .selectFrom('queues')
            .select('team_id')
            .where('id', '=', c.queue_id)
            .executeTakeFirst()
        )?.team_id ?? null;
    }
    const owner =
      input.ownerUserId !== undefined
        ? input.ownerUserId
        : actor.type === 'user'
          ? actor.id
          : c.assignee_id;
    const remindAt =
      input.remindAt === null
        ? null
        : (input.remindAt ??
          Math.max(now, input.dueAt - Math.min(DEFAULT_REMIND_BEFORE_MS, (input.dueAt - now) / 2)));
    const id = newId();
    await trx
      .insertInto('promises')
      .values({
        id,
        workspace_id: actor.workspaceId,
        case_id: c.id,
        customer_id: c.customer_id,
        kind: input.kind,
        description: input.description.trim(),
        due_at: input.dueAt,
        remind_at: remindAt,
        channel: input.channel ?? (input.kind === 'callback' ? 'voice' : c.channel),
        address:
          input.address ?? (input.kind === 'callback' ? await phoneOf(trx, c.customer_id) : null),
        owner_user_id: owner,
        owner_team_id: team,
        status: 'open',
        created_by: actor.id,
        created_at: now,
        reminded_at: null,
        settled_at: null,
        settled_by: null,
        settled_how: null,
      })
      .execute();
    const timers = [{ kind: 'promise.due', at: input.dueAt }];
    if (remindAt !== null) timers.push({ kind: 'promise.remind', at: remindAt });
    await trx
      .insertInto('timers')
      .values(
        timers.map((t) => ({
          id: newId(),
          workspace_id: actor.workspaceId,
          kind: t.kind,
          ref_id: id,
          due_at: t.at,
          status: 'pending' as const,
          created_at: now,
        })),
      )
      .execute();
    await caseEvent(
      trx,
      actor.workspaceId,
      c.id,
      actor,
      'promise_made',
      {
        promiseId: id,
        kind: input.kind,
        dueAt: new Date(input.dueAt).toISOString(),
      },
      now,
    );
    return toPromiseDto(await loadPromise(trx, actor.workspaceId, id));
  });
}

/** Marks a promise kept or cancelled (with how or why); only open promises can be settled. */
export async function settlePromise(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  outcome: 'kept' | 'cancelled',
  how: string,
  now: number,
) {
  return caseWriteTransaction(db, async (trx) => {
    const p = await loadPromise(trx, actor.workspaceId, id);
    if (p.status !== 'open')
      throw new AppError('invalid_transition', `the promise is already ${p.status}`);
    await settle(trx, p, outcome, { type: actor.type, id: actor.id }, how, now);
    return toPromiseDto(await loadPromise(trx, actor.workspaceId, id));
  });
}

async function settle(
  trx: Kysely<DB>,
  p: Row,
  outcome: 'kept' | 'cancelled' | 'broken',
  actor: { type: 'user' | 'token' | 'system'; id: string | null },
  how: string,
  now: number,
) {
  await trx
    .updateTable('promises')
    .set({ status: outcome, settled_at: now, settled_by: actor.id, settled_how: how })
    .where('id', '=', p.id)
    .execute();
  await trx
    .updateTable('timers')
    .set({ status: 'cancelled' })
    .where('ref_id', '=', p.id)
    .where('status', '=', 'pending')
    .execute();
  await caseEvent(
    trx,
    p.workspace_id,
    p.case_id,
    actor,
    `promise_${outcome}`,
    { promiseId: p.id, how },
    now,
  );
}

/** Whether a message of ours on `channel` is what the promise said we would do. */
export function keptBy(p: { kind: string; channel: string | null }, channel: string): boolean {
  const followUp = p.kind === 'follow_up' && (p.channel === null || p.channel === channel);
  const callback = p.kind === 'callback' && channel === 'voice';
  return followUp || callback;
}

/** How a promise kept by a message on `channel` says so (`settled_how`). */
export const keptHow = (channel: string) => `message sent on ${channel}`;

/**
 * The system keeps promises whose action it sees: a message sent on the case keeps its open
 * follow-ups on that channel (or any channel), an outbound call keeps a callback.
 */
export async function keepPromisesOnReply(
  trx: Kysely<DB>,
  actor: Actor,
  caseId: string,
  channel: string,
  now: number,
) {
  const open = await trx
    .selectFrom('promises')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('status', '=', 'open')
    .execute();
  for (const p of open) {
    if (keptBy(p, channel)) {
      await settle(trx, p, 'kept', { type: actor.type, id: actor.id }, keptHow(channel), now);
    }
  }
}

/** The canned reply an admin named with this shortcut is the apology; else our default wording. */
export const APOLOGY_SHORTCUT = 'promise-broken';
const DEFAULT_APOLOGY =
  'Hi {{customer.first_name}}, we promised to get back to you about case {{case.number}} and we did not. We are sorry. Someone from our team is on it now and will contact you shortly.';

/**
 * When a promise breaks, the agent finds a ready apology on the case (a suggested reply in its
 * history and in the live event) and sends it with one click; it is never sent unseen.
 */
async function apologyFor(trx: Kysely<DB>, p: Row): Promise<string> {
  const canned = await trx
    .selectFrom('canned_replies')
    .select('body')
    .where('workspace_id', '=', p.workspace_id)
    .where('shortcut', '=', APOLOGY_SHORTCUT)
    .executeTakeFirst();
  const c = await trx
    .selectFrom('cases')
    .leftJoin('customers', 'customers.id', 'cases.customer_id')
    .select(['cases.number', 'cases.subject', 'customers.display_name'])
    .where('cases.id', '=', p.case_id)
    .executeTakeFirst();
  const ctx = {
    customer: { name: c?.display_name ?? null },
    agent: { name: 'the care team' },
    case: { number: Number(c?.number ?? 0), subject: c?.subject ?? '' },
  };
  try {
    // A suggestion the agent may post publicly: rendered as a public reply would be.
    return renderTemplate(canned?.body ?? DEFAULT_APOLOGY, ctx, 'public');
  } catch {
    // A canned reply with a typo in a variable must not stop the escalation; fall back.
    return renderTemplate(DEFAULT_APOLOGY, ctx, 'public');
  }
}

const liveData = (p: Row) => ({
  promiseId: p.id,
  caseId: p.case_id,
  kind: p.kind,
  description: p.description,
  dueAt: new Date(Number(p.due_at)).toISOString(),
  ownerUserId: p.owner_user_id,
  ownerTeamId: p.owner_team_id,
});

/** `promise.remind` and `promise.due` timers. */
export const promiseTimer: TimerHandler = async (trx, t: Timer, now) => {
  const p = await trx
    .selectFrom('promises')
    .selectAll()
    .where('id', '=', t.ref_id)
    .executeTakeFirst();
  if (p?.status !== 'open') return [];
  if (t.kind === 'promise.remind') {
    await trx.updateTable('promises').set({ reminded_at: now }).where('id', '=', p.id).execute();
    await caseEvent(
      trx,
      p.workspace_id,
      p.case_id,
      { type: 'system', id: 'scheduler' },
      'promise_reminder',
      { promiseId: p.id },
      now,
    );
    return [{ type: 'promise.reminder', workspaceId: p.workspace_id, data: liveData(p) }];
  }
  return breakPromise(trx, p, now);
};

/**
 * Breaks an open promise whose deadline passed: the case is escalated (urgent, flagged), an
 * apology is suggested, and the live events telling supervisors are returned.
 */
export async function breakPromise(trx: Kysely<DB>, p: Row, now: number): Promise<LiveEvent[]> {
  await settle(trx, p, 'broken', { type: 'system', id: 'scheduler' }, 'deadline passed', now);
  await trx
    .updateTable('cases')
    .set({
      priority: 'urgent',
      escalated: 1,
      version: sql<number>`version + 1`,
      updated_at: now,
    })
    .where('id', '=', p.case_id)
    .execute();
  await caseEvent(
    trx,
    p.workspace_id,
    p.case_id,
    { type: 'system', id: 'scheduler' },
    'escalated',
    {
      why: 'promise broken',
      promiseId: p.id,
    },
    now,
  );
  const apology = await apologyFor(trx, p);
  await caseEvent(
    trx,
    p.workspace_id,
    p.case_id,
    { type: 'system', id: 'scheduler' },
    'apology_suggested',
    { promiseId: p.id, text: apology },
    now,
  );
  return [
    {
      type: 'promise.broken',
      workspaceId: p.workspace_id,
      data: { ...liveData(p), apology },
    },
    {
      type: 'case.updated',
      workspaceId: p.workspace_id,
      data: { caseId: p.case_id, change: 'escalated' },
    },
  ];
}

/** Kept, broken and cancelled promises per owner team and agent since `from` (scorecard, problems). */
export async function promiseStats(db: Kysely<DB>, ws: string, from: number, to: number) {
  const rows = await db
    .selectFrom('promises')
    .select(['owner_team_id', 'owner_user_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', ws)
    .where('due_at', '>=', from)
    .where('due_at', '<', to)
    .groupBy(['owner_team_id', 'owner_user_id', 'status'])
    .execute();
  const key = (team: string | null, user: string | null) => `${team ?? ''}|${user ?? ''}`;
  const out = new Map<
    string,
    {
      teamId: string | null;
      userId: string | null;
      open: number;
      kept: number;
      broken: number;
      cancelled: number;
    }
  >();
  for (const r of rows) {
    const k = key(r.owner_team_id, r.owner_user_id);
    const e = out.get(k) ?? {
      teamId: r.owner_team_id,
      userId: r.owner_user_id,
      open: 0,
      kept: 0,
      broken: 0,
      cancelled: 0,
    };
    e[r.status] += Number(r.n);
    out.set(k, e);
  }
  return [...out.values()];
}

/**
 * The number a callback goes to when the agent gave none: the customer's newest phone identity
 * (an SMS, call or WhatsApp number, as the network gave it). Null when they wrote only by email
 * or social media: the agent asks for one.
 */
async function phoneOf(trx: Kysely<DB>, customerId: string): Promise<string | null> {
  const row = await trx
    .selectFrom('identities')
    .select(['address', 'link_key'])
    .where('customer_id', '=', customerId)
    .where('channel', 'in', ['voice', 'sms', 'whatsapp'])
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  return row.link_key?.startsWith('phone:') ? row.link_key.slice('phone:'.length) : row.address;
}
