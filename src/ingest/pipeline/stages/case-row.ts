import type { Selectable } from 'kysely';
import type { CaseTable } from '../../../platform/db/schema.js';
import type { CaseState } from '../types.js';

/** A stored case as a batch holds it: not new, nothing changed yet. */
export function caseStateOf(r: Selectable<CaseTable>): CaseState {
  return {
    id: r.id,
    customerId: r.customer_id,
    status: r.status,
    statusReason: r.status_reason,
    priority: r.priority,
    queueId: r.queue_id,
    channel: r.channel,
    subject: r.subject,
    language: r.language,
    openedAt: r.opened_at,
    lastMessageAt: r.last_message_at,
    lastInboundAt: r.last_inbound_at,
    firstResponseAt: r.first_response_at,
    resolvedAt: r.resolved_at,
    isNew: false,
    dirty: false,
    addedMessages: 0,
  };
}
