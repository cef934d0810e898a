import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { sendSurveyOnResolve } from '../csat/csat.service.js';
import type { CaseStatus, DB, Priority } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { newId } from '../platform/ids.js';
import { keepPromisesOnReply } from '../promises/promise.service.js';
import { applySla, type SlaEvent } from '../sla/sla.store.js';
import { toMessageDto } from './case.dto.js';

/** Which status may follow which; anything else is refused with `invalid_transition`. */
const TRANSITIONS: Record<CaseStatus, CaseStatus[]> = {
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: ['open'],
};

export async function loadCase(trx: Kysely<DB>, workspaceId: string, caseId: string) {
  const row = await trx
    .selectFrom('cases')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!row) throw notFound('case');
  return row;
}

/**
 * Refuses a change made on a stale view of the case (another agent or a new customer message
 * got there first) and shows the messages the agent has not seen.
 */
export async function checkVersion(
  trx: Kysely<DB>,
  c: { id: string; version: number },
  expected: number | undefined,
  seenMessageId?: string,
) {
  if (expected === undefined || expected === c.version) return;
  // Message ids are time-ordered (UUIDv7): those after the last one the agent saw are new to them.
  const newer = await trx
    .selectFrom('messages')
    .selectAll()
    .where('case_id', '=', c.id)
    .$if(seenMessageId !== undefined, (q) => q.where('id', '>', seenMessageId!))
    .orderBy('sent_at', 'desc')
    .limit(20)
    .execute();
  const changes = await trx
    .selectFrom('case_events')
    .select(['type', 'actor_type', 'actor_id', 'data_json', 'created_at'])
    .where('case_id', '=', c.id)
    .orderBy('id', 'desc')
    .limit(Math.min(20, Math.max(1, c.version - expected)))
    .execute();
  throw new AppError('conflict', `the case changed since you loaded it (version ${c.version})`, {
    currentVersion: c.version,
    newerMessages: newer.reverse().map(toMessageDto),
    changes: changes.reverse().map((e) => ({
      type: e.type,
      actor: { type: e.actor_type, id: e.actor_id },
      data: JSON.parse(e.data_json),
      at: new Date(Number(e.created_at)).toISOString(),
    })),
  });
}

/** Who changed a case: a person, a machine token, or the system (pipeline, scheduler, …). */
export interface CaseEventActor {
  type: 'user' | 'token' | 'system';
  id: string | null;
}

/**
 * Appends one entry to a case's history, in the caller's transaction. `eventAt` is the event
 * time the entry refers to (a deadline, a message's time); it defaults to the wall time `now`.
 */
export async function caseEvent(
  trx: Kysely<DB>,
  workspaceId: string,
  caseId: string,
  actor: CaseEventActor,
  type: string,
  data: Record<string, unknown>,
  now: number,
  eventAt: number = now,
) {
  await trx
    .insertInto('case_events')
    .values({
      id: newId(),
      workspace_id: workspaceId,
      case_id: caseId,
      type,
      actor_type: actor.type,
      actor_id: actor.id,
      data_json: JSON.stringify(data),
      created_at: now,
      event_at: eventAt,
    })
    .execute();
}

export interface ReplyInput {
  text: string;
  visibility?: 'public' | 'private';
  expectedVersion?: number;
  /** The newest message id the agent has seen; a refused reply lists the ones after it. */
  seenMessageId?: string;
  /** Reply on another channel (after a handoff); default the case's channel. */
  channel?: string;
  /** Address on that channel; default the customer's identity there. */
  to?: string;
}

/**
 * Writes an agent reply as an outbound message and queues its delivery in the outbox, in one
 * transaction with the case change; the outbox worker sends it after commit.
 */
export async function replyToCase(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: ReplyInput,
  now: number,
) {
  return db.transaction().execute((trx) => replyInTrx(trx, actor, caseId, input, now));
}

/** `replyToCase` inside the caller's transaction (macros, handoff, surveys). */
export async function replyInTrx(
  trx: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: ReplyInput,
  now: number,
) {
  const text = input.text.trim();
  if (!text) throw new AppError('bad_request', 'reply text is empty');
  {
    const c = await loadCase(trx, actor.workspaceId, caseId);
    await checkVersion(trx, c, input.expectedVersion, input.seenMessageId);
    const channel = input.channel ?? c.channel;
    // Answer the customer's latest message on the channel: on X that makes the reply part of
    // the public conversation; elsewhere it names the address to send to.
    let last = await trx
      .selectFrom('messages')
      .select(['external_id', 'author_address', 'visibility', 'channel_id'])
      .where('case_id', '=', c.id)
      .where('direction', '=', 'in')
      .where('channel', '=', channel)
      .orderBy('sent_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!last || input.to) {
      // A channel the customer has not written on in this case (after a handoff): send to
      // their identity there, starting a new conversation.
      const ident = input.to
        ? { address: input.to }
        : await trx
            .selectFrom('identities')
            .select('address')
            .where('customer_id', '=', c.customer_id)
            .where('channel', '=', channel)
            .orderBy('created_at', 'desc')
            .executeTakeFirst();
      if (!ident) {
        throw new AppError('invalid_transition', `the customer has no address on ${channel}`);
      }
      last = {
        external_id: null as unknown as string,
        author_address: ident.address,
        visibility: 'private',
        channel_id: last?.channel_id ?? null,
      };
    }
    const visibility = input.visibility ?? last.visibility;
    const messageId = newId();
    await trx
      .insertInto('messages')
      .values({
        id: messageId,
        workspace_id: actor.workspaceId,
        case_id: c.id,
        customer_id: c.customer_id,
        channel,
        channel_id: last.channel_id,
        external_id: `tl-${messageId}`,
        direction: 'out',
        visibility,
        author_address: actor.type === 'user' ? `user:${actor.id}` : `token:${actor.id}`,
        author_name: actor.name,
        text,
        sent_at: now,
        received_at: now,
        in_reply_to: last.external_id,
        conversation_id: null,
        language: null,
        attachments_json: '[]',
        triage_json: null,
        raw_json: null,
        status: 'queued',
        user_id: actor.type === 'user' ? actor.id : null,
        deleted_at: null,
        unsolicited: 0,
      })
      .execute();
    await trx
      .insertInto('outbox')
      .values({
        id: newId(),
        workspace_id: actor.workspaceId,
        kind: 'send_message',
        idempotency_key: `send_message:${messageId}`,
        payload_json: JSON.stringify({
          messageId,
          caseId: c.id,
          channel,
          channelId: last.channel_id,
          to: last.author_address,
          inReplyTo: last.external_id,
          visibility,
          text,
        }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        created_at: now,
        delivered_at: null,
      })
      .execute();
    await trx
      .updateTable('cases')
      .set({
        status: c.status === 'new' ? 'open' : c.status,
        first_response_at: c.first_response_at ?? now,
        last_message_at: Math.max(c.last_message_at, now),
        message_count: sql<number>`message_count + 1`,
        version: sql<number>`version + 1`,
        updated_at: now,
      })
      .where('id', '=', c.id)
      .execute();
    await caseEvent(
      trx,
      actor.workspaceId,
      c.id,
      actor,
      'replied',
      { messageId, visibility, channel },
      now,
    );
    await applySla(trx, actor.workspaceId, [slaEvent(c, 'agent_replied', now)], now);
    await keepPromisesOnReply(trx, actor, c.id, channel, now);
    const msg = await trx
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', messageId)
      .executeTakeFirstOrThrow();
    return toMessageDto(msg);
  }
}

const slaEvent = (
  c: { id: string; priority: Priority; channel: string },
  type: SlaEvent['type'],
  at: number,
): SlaEvent => ({ caseId: c.id, type, at, priority: c.priority, channel: c.channel });

export interface CaseUpdate {
  status?: CaseStatus;
  statusReason?: 'customer' | 'internal' | null;
  /** Why (free text, kept in the history): "refund issued", "duplicate of #12". */
  reason?: string;
  assigneeId?: string | null;
  priority?: Priority;
  expectedVersion?: number;
}

export async function updateCase(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: CaseUpdate,
  now: number,
) {
  return db.transaction().execute((trx) => updateInTrx(trx, actor, caseId, input, now));
}

/** `updateCase` inside the caller's transaction. */
export async function updateInTrx(
  trx: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: CaseUpdate,
  now: number,
) {
  {
    const c = await loadCase(trx, actor.workspaceId, caseId);
    await checkVersion(trx, c, input.expectedVersion);
    const set: Record<string, unknown> = {};
    let resolvedNow = false;
    if (input.status !== undefined && input.status !== c.status) {
      if (!TRANSITIONS[c.status].includes(input.status)) {
        throw new AppError(
          'invalid_transition',
          `a ${c.status} case cannot become ${input.status}`,
        );
      }
      set.status = input.status;
      set.status_reason = input.status === 'pending' ? (input.statusReason ?? 'customer') : null;
      if (input.status === 'resolved') set.resolved_at = now;
      if (input.status === 'closed') set.closed_at = now;
      if (input.status === 'open') {
        set.resolved_at = null;
        set.closed_at = null;
      }
      await caseEvent(
        trx,
        actor.workspaceId,
        c.id,
        actor,
        'status_changed',
        {
          from: c.status,
          to: input.status,
          reason: set.status_reason,
          why: input.reason ?? null,
        },
        now,
      );
      const slaType: SlaEvent['type'] | null =
        input.status === 'pending'
          ? set.status_reason === 'customer'
            ? 'pending_customer'
            : null
          : input.status === 'resolved'
            ? 'resolved'
            : input.status === 'closed'
              ? 'closed'
              : input.status === 'open'
                ? c.status === 'pending'
                  ? 'resumed'
                  : c.status === 'resolved' || c.status === 'closed'
                    ? 'reopened'
                    : null
                : null;
      if (slaType) await applySla(trx, actor.workspaceId, [slaEvent(c, slaType, now)], now);
      if (input.status === 'resolved') resolvedNow = true;
    } else if (input.statusReason !== undefined && c.status === 'pending') {
      set.status_reason = input.statusReason;
    }
    if (input.assigneeId !== undefined && input.assigneeId !== c.assignee_id) {
      if (input.assigneeId !== null) {
        const user = await trx
          .selectFrom('users')
          .select('id')
          .where('workspace_id', '=', actor.workspaceId)
          .where('id', '=', input.assigneeId)
          .where('disabled_at', 'is', null)
          .executeTakeFirst();
        if (!user) throw new AppError('bad_request', 'assigneeId is not an active user');
      }
      set.assignee_id = input.assigneeId;
      await caseEvent(
        trx,
        actor.workspaceId,
        c.id,
        actor,
        'assigned',
        {
          from: c.assignee_id,
          to: input.assigneeId,
        },
        now,
      );
    }
    if (input.priority !== undefined && input.priority !== c.priority) {
      set.priority = input.priority;
      await caseEvent(
        trx,
        actor.workspaceId,
        c.id,
        actor,
        'priority_changed',
        {
          from: c.priority,
          to: input.priority,
        },
        now,
      );
    }
    if (Object.keys(set).length === 0) return c;
    await trx
      .updateTable('cases')
      .set({ ...set, version: sql<number>`version + 1`, updated_at: now })
      .where('id', '=', c.id)
      .execute();
    if (resolvedNow) await sendSurveyOnResolve(trx, actor, c.id, now);
    return loadCase(trx, actor.workspaceId, c.id);
  }
}

/** Adds an internal note; `@name` mentions of users (email local part) and teams are resolved. */
export async function addNote(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  body: string,
  now: number,
) {
  const text = body.trim();
  if (!text) throw new AppError('bad_request', 'note is empty');
  return db.transaction().execute(async (trx) => {
    const c = await loadCase(trx, actor.workspaceId, caseId);
    const handles = [...new Set([...text.matchAll(/@([\w.-]+)/g)].map((m) => m[1].toLowerCase()))];
    const mentions: { type: 'user' | 'team'; id: string; handle: string }[] = [];
    if (handles.length > 0) {
      const users = await trx
        .selectFrom('users')
        .select(['id', 'email'])
        .where('workspace_id', '=', actor.workspaceId)
        .execute();
      const teams = await trx
        .selectFrom('teams')
        .select(['id', 'name'])
        .where('workspace_id', '=', actor.workspaceId)
        .execute();
      for (const h of handles) {
        const u = users.find((x) => x.email.split('@')[0] === h);
        if (u) mentions.push({ type: 'user', id: u.id, handle: h });
        const t = teams.find((x) => x.name.toLowerCase().replace(/\s+/g, '-') === h);
        if (t) mentions.push({ type: 'team', id: t.id, handle: h });
      }
    }
    const id = newId();
    await trx
      .insertInto('notes')
      .values({
        id,
        workspace_id: actor.workspaceId,
        case_id: c.id,
        author_id: actor.id,
        body: text,
        mentions_json: JSON.stringify(mentions),
        created_at: now,
      })
      .execute();
    await caseEvent(
      trx,
      actor.workspaceId,
      c.id,
      actor,
      'note_added',
      { noteId: id, mentions },
      now,
    );
    return {
      id,
      caseId: c.id,
      authorId: actor.id,
      body: text,
      mentions,
      createdAt: new Date(now).toISOString(),
    };
  });
}
