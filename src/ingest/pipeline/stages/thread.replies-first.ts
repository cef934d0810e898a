import {
  type BatchState,
  type CaseState,
  key,
  type StageContext,
  type WorkItem,
} from '../types.js';
import { caseStateOf } from './case-row.js';

/**
 * A reply that arrived before the message it answers. Providers do not promise order (X's
 * webhooks deliver a reply before its parent, even in one batch), and threading is by the parent:
 * the reply, finding no parent, went to its customer's open case or a new one, and the parent,
 * a post that answers nothing, would open a case of its own — one conversation in two cases,
 * where the other order gives one. So a message whose reply is already threaded, in this batch
 * or stored earlier, joins that reply's case while it is open and the reply is the same
 * customer's: both orders give one case. (Another customer's reply is not followed: it may have
 * joined an unrelated open case of theirs, and only the customer's own messages are looked up,
 * by the messages' customer index.)
 */

const OPEN_STATES = new Set(['new', 'open', 'pending']);

interface Replies {
  /** key(channel, parent external id) → the cases of stored inbound replies to it, by customer. */
  stored: Map<string, { caseId: string; customerId: string }[]>;
  /** key(channel, parent external id) → this batch's items that answer it, in batch order. */
  inBatch: Map<string, WorkItem[]>;
}

const repliesOf = new WeakMap<BatchState, Replies>();

/**
 * Loads, for the batch's inbound messages, the stored inbound replies of the same customer that
 * name them, and those replies' cases. Run after the batch's own cases are loaded.
 */
export async function loadEarlierReplies(batch: BatchState, ctx: StageContext): Promise<void> {
  const replies: Replies = { stored: new Map(), inBatch: new Map() };
  repliesOf.set(batch, replies);
  const wanted = new Set<string>();
  const ids = new Set<string>();
  const customers = new Set<string>();
  for (const item of batch.items) {
    const msg = item.msg;
    if (!msg || item.rejected || item.duplicate || item.direction !== 'in') continue;
    if (msg.inReplyTo) {
      const k = key(msg.channel, msg.inReplyTo);
      replies.inBatch.set(k, [...(replies.inBatch.get(k) ?? []), item]);
    }
    if (!item.customerId) continue;
    wanted.add(key(msg.channel, msg.externalId));
    ids.add(msg.externalId);
    customers.add(item.customerId);
  }
  // By the customers' own messages (messages_customer_ix); workspace and channel are checked on
  // the rows: in the WHERE clause, SQLite without statistics would rather walk the workspace's
  // (workspace, channel, external id) index over every message of the channel.
  const ws = ctx.settings.workspaceId;
  const caseIds = new Set<string>();
  const parentIds = [...ids];
  const customerIds = [...customers];
  for (let i = 0; i < customerIds.length; i += 500) {
    for (let j = 0; j < parentIds.length; j += 500) {
      const rows = await ctx.trx
        .selectFrom('messages')
        .select(['workspace_id', 'channel', 'in_reply_to', 'case_id', 'customer_id'])
        .where('customer_id', 'in', customerIds.slice(i, i + 500))
        .where('in_reply_to', 'in', parentIds.slice(j, j + 500))
        .where('direction', '=', 'in')
        .execute();
      for (const r of rows) {
        if (r.workspace_id !== ws || !r.in_reply_to || !r.case_id || !r.customer_id) continue;
        const k = key(r.channel, r.in_reply_to);
        if (!wanted.has(k)) continue;
        const list = replies.stored.get(k) ?? [];
        list.push({ caseId: r.case_id, customerId: r.customer_id });
        replies.stored.set(k, list);
        if (!batch.cases.has(r.case_id)) caseIds.add(r.case_id);
      }
    }
  }
  const found = [...caseIds];
  for (let i = 0; i < found.length; i += 1000) {
    const rows = await ctx.trx
      .selectFrom('cases')
      .selectAll()
      .where('id', 'in', found.slice(i, i + 1000))
      .execute();
    // An erased case takes no new messages (thread.ts), whichever way it is found.
    for (const r of rows)
      if (r.workspace_id === ws && !r.erased_at) batch.cases.set(r.id, caseStateOf(r));
  }
}

/** The open case of the customer's earlier-threaded reply to this message, if there is one. */
export function caseOfEarlierReply(batch: BatchState, item: WorkItem): CaseState | undefined {
  const replies = repliesOf.get(batch);
  const msg = item.msg;
  if (!replies || !msg || !item.customerId) return undefined;
  const k = key(msg.channel, msg.externalId);
  const threaded = (replies.inBatch.get(k) ?? [])
    .filter((r) => r.caseId && r.customerId === item.customerId)
    .map((r) => r.caseId!);
  const stored = (replies.stored.get(k) ?? [])
    .filter((r) => r.customerId === item.customerId)
    .map((r) => r.caseId);
  for (const id of [...threaded, ...stored]) {
    const c = batch.cases.get(id);
    if (c && c.customerId === item.customerId && OPEN_STATES.has(c.status)) return c;
  }
  return undefined;
}
