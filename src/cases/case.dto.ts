import { type Static, Type } from '@sinclair/typebox';
import type { Selectable } from 'kysely';
import { editsOf } from '../channels/channel.edits.js';
import { CONNECTOR_ERROR_KINDS } from '../channels/connector-error.js';
import type { CaseTable, MessageTable } from '../platform/db/schema.js';
import { onTheWire } from '../triage/wire.js';

/** API shapes of cases and messages: camelCase, ISO times. */
export const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const CaseSummary = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  status: Type.String(),
  statusReason: Nullable(Type.String()),
  priority: Type.String(),
  queueId: Nullable(Type.String()),
  assigneeId: Nullable(Type.String()),
  channel: Type.String(),
  subject: Type.String(),
  language: Nullable(Type.String()),
  customerId: Type.String(),
  customerName: Nullable(Type.String()),
  openedAt: Type.String(),
  /** When the desk recorded the case: the case list's default order (never changes). */
  createdAt: Type.String(),
  lastMessageAt: Type.String(),
  firstResponseAt: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  messageCount: Type.Integer(),
  version: Type.Integer(),
});
export type CaseSummary = Static<typeof CaseSummary>;

export const MessageDto = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  externalId: Type.String(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  visibility: Type.String(),
  author: Type.Object({ id: Type.String(), name: Nullable(Type.String()) }),
  text: Type.String(),
  sentAt: Type.String(),
  receivedAt: Type.String(),
  inReplyTo: Nullable(Type.String()),
  language: Nullable(Type.String()),
  status: Type.String(),
  deleted: Type.Boolean(),
  attachments: Type.Array(Type.Unknown()),
  triage: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  /** Earlier versions of a message the customer edited, oldest first (channel.edits.ts). */
  edits: Type.Optional(
    Type.Array(
      Type.Object({ text: Type.String(), externalId: Type.String(), replacedAt: Type.String() }),
    ),
  ),
  /**
   * A reply that ended `failed`: why, as its case history's `reply_failed` says (the connector's
   * kind, its explanation, the provider's code), so the agent sees what to do next.
   */
  failure: Type.Optional(
    Type.Object({
      error: Type.String({
        description: `the connector's kind of failure (${CONNECTOR_ERROR_KINDS.join(', ')}), or failed_after_sent when the provider reported it failed after taking it`,
      }),
      why: Type.Optional(Type.String()),
      providerCode: Type.Optional(Type.String()),
    }),
  ),
});
export type MessageDto = Static<typeof MessageDto>;

export function toCaseSummary(
  r: Selectable<CaseTable> & { customer_name?: string | null },
): CaseSummary {
  return {
    id: r.id,
    number: Number(r.number),
    status: r.status,
    statusReason: r.status_reason,
    priority: r.priority,
    queueId: r.queue_id,
    assigneeId: r.assignee_id,
    channel: r.channel,
    subject: r.subject,
    language: r.language,
    customerId: r.customer_id,
    customerName: r.customer_name ?? null,
    openedAt: iso(r.opened_at)!,
    createdAt: iso(r.created_at)!,
    lastMessageAt: iso(r.last_message_at)!,
    firstResponseAt: iso(r.first_response_at),
    resolvedAt: iso(r.resolved_at),
    messageCount: r.message_count,
    version: r.version,
  };
}

export function toMessageDto(m: Selectable<MessageTable>): MessageDto {
  return {
    id: m.id,
    channel: m.channel,
    externalId: m.external_id,
    direction: m.direction,
    visibility: m.visibility,
    author: { id: m.author_address, name: m.author_name },
    text: m.text,
    sentAt: iso(m.sent_at)!,
    receivedAt: iso(m.received_at)!,
    inReplyTo: m.in_reply_to,
    language: m.language,
    status: m.status,
    deleted: m.deleted_at !== null,
    attachments: JSON.parse(m.attachments_json),
    // Shaped as classify answers it (area always an object), not as stored.
    triage: m.triage_json ? onTheWire(JSON.parse(m.triage_json)) : null,
    ...(m.raw_json ? { edits: editsOf(m.raw_json) } : {}),
  };
}

/** Adds to each failed message the reason its latest `reply_failed` history entry gives. */
export function withFailures(
  messages: MessageDto[],
  history: { type: string; data_json: string }[],
): MessageDto[] {
  const why = new Map<string, NonNullable<MessageDto['failure']>>();
  for (const h of history) {
    if (h.type !== 'reply_failed') continue;
    const d = JSON.parse(h.data_json) as Record<string, unknown>;
    if (typeof d.messageId !== 'string' || typeof d.error !== 'string') continue;
    why.set(d.messageId, {
      error: d.error,
      ...(typeof d.why === 'string' ? { why: d.why } : {}),
      ...(typeof d.providerCode === 'string' ? { providerCode: d.providerCode } : {}),
    });
  }
  return messages.map((m) =>
    m.status === 'failed' && why.has(m.id) ? { ...m, failure: why.get(m.id) } : m,
  );
}
