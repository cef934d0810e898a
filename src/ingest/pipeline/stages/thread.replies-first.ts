import {
  type BatchState,
  type CaseState,
  key,
  type StageContext,
  type WorkItem,
} from '../types.js';
import { caseStateOf } from './case-row.js';

/**
 * Replies that arrived before the message they answer. Providers do not promise order (X's
 * webhooks deliver a reply before its parent, even in one batch), and threading is by the parent:
 * the reply, finding no parent, went to its customer's open case or a new one (the brand's, to no
 * case at all), and the parent, a post that answers nothing, would open a case of its own — one
 * conversation in two cases, where the other order gives one. So when the parent comes, the
 * replies already threaded, in this batch or stored earlier, are found (by messages_reply_ix,
 * migration 0023) and the parent threads as the right order would have left things:
 * - its own customer's reply: the parent joins that reply's case while it is open;
 * - another customer's public reply that opened a case holding nothing but replies to this
 *   parent: in the right order that reply would have joined the parent's case (a public reply
 *   joins the conversation's case whoever wrote it, thread.ts), so the parent, when it would
 *   open a case, takes that one over instead: it becomes its author's case, rooted at the parent
 *   (`rootedCaseOfOthers`). A reply that joined an unrelated open case of its writer is left
 *   there: moving stored messages between cases is not the pipeline's to do;
 * - the brand's replies, kept as orphans for want of a case: they join the parent's case, as
 *   they would have in the right order (`adoptOrphanReplies`).
 */

const OPEN_STATES = new Set(['new', 'open', 'pending']);

/** A stored message that answers a message of the batch. */
interface StoredReply {
  messageId: string;
  caseId: string | null;
  customerId: string | null;
  direction: 'in' | 'out';
  visibility: 'public' | 'private';
  sentAt: number;
}

interface Replies {
  /** key(channel, parent external id) → the stored messages that answer it. */
  stored: Map<string, StoredReply[]>;
  /** key(channel, parent external id) → this batch's items that answer it, in batch order. */
  inBatch: Map<string, WorkItem[]>;
  /** Stored case id → how many messages it held when the batch began (for candidates only). */
  storedCounts: Map<string, number>;
}

const repliesOf = new WeakMap<BatchState, Replies>();

/**
 * Loads, for the batch's inbound messages, the stored messages that answer them (anyone's, the
 * brand's too) and those replies' cases. Run after the batch's own cases are loaded.
 */
export async function loadEarlierReplies(batch: BatchState, ctx: StageContext): Promise<void> {
  const replies: Replies = { stored: new Map(), inBatch: new Map(), storedCounts: new Map() };
  repliesOf.set(batch, replies);
  const idsByChannel = new Map<string, Set<string>>();
  for (const item of batch.items) {
    const msg = item.msg;
    if (!msg || item.rejected || item.duplicate) continue;
    if (msg.inReplyTo) {
      const k = key(msg.channel, msg.inReplyTo);
      replies.inBatch.set(k, [...(replies.inBatch.get(k) ?? []), item]);
    }
    if (item.direction !== 'in' || !item.customerId) continue;
    const ids = idsByChannel.get(msg.channel) ?? new Set<string>();
    idsByChannel.set(msg.channel, ids);
    ids.add(msg.externalId);
  }
  const ws = ctx.settings.workspaceId;
  const caseIds = new Set<string>();
  const candidates = new Set<string>();
  for (const [channel, idSet] of idsByChannel) {
    const ids = [...idSet];
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await ctx.trx
        .selectFrom('messages')
        .select(['id', 'in_reply_to', 'case_id', 'customer_id', 'direction', 'visibility'])
        .select('sent_at')
        .where('workspace_id', '=', ws)
        .where('channel', '=', channel)
        .where('in_reply_to', 'in', ids.slice(i, i + 1000))
        .execute();
      for (const r of rows) {
        if (!r.in_reply_to) continue;
        const k = key(channel, r.in_reply_to);
        const list = replies.stored.get(k) ?? [];
        list.push({
          messageId: r.id,
          caseId: r.case_id,
          customerId: r.customer_id,
          direction: r.direction,
          visibility: r.visibility,
          sentAt: Number(r.sent_at),
        });
        replies.stored.set(k, list);
        if (!r.case_id) continue;
        if (!batch.cases.has(r.case_id)) caseIds.add(r.case_id);
        if (r.direction === 'in' && r.visibility === 'public') candidates.add(r.case_id);
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
  // Counted from the messages (messages_case_ix), not `message_count`: whether such a case holds
  // anything besides replies to the parent decides whether the parent may take it over.
  const counted = [...candidates];
  for (let i = 0; i < counted.length; i += 1000) {
    const rows = await ctx.trx
      .selectFrom('messages')
      .select(['case_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('case_id', 'in', counted.slice(i, i + 1000))
      .groupBy('case_id')
      .execute();
    for (const r of rows) if (r.case_id) replies.storedCounts.set(r.case_id, Number(r.n));
  }
}

/** The open case of the customer's earlier-threaded reply to this message, if there is one. */
export function caseOfEarlierReply(batch: BatchState, item: WorkItem): CaseState | undefined {
  const replies = repliesOf.get(batch);
  const msg = item.msg;
  if (!replies || !msg || !item.customerId) return undefined;
  const k = key(msg.channel, msg.externalId);
  const threaded = (replies.inBatch.get(k) ?? [])
    .filter((r) => r.direction === 'in' && r.caseId && r.customerId === item.customerId)
    .map((r) => r.caseId!);
  const stored = (replies.stored.get(k) ?? [])
    .filter((r) => r.direction === 'in' && r.caseId && r.customerId === item.customerId)
    .map((r) => r.caseId!);
  for (const id of [...threaded, ...stored]) {
    const c = batch.cases.get(id);
    if (c && c.customerId === item.customerId && OPEN_STATES.has(c.status)) return c;
  }
  return undefined;
}

/**
 * A case that another customer's public reply to this message opened before it arrived and that
 * holds nothing but replies to it: the conversation's case, rooted at the wrong message. Called
 * only where the message would open a case of its own (in the right order, the reply would then
 * have joined that case). Of several, the earliest opened.
 */
export function rootedCaseOfOthers(batch: BatchState, item: WorkItem): CaseState | undefined {
  const replies = repliesOf.get(batch);
  const msg = item.msg;
  if (!replies || !msg || !item.customerId) return undefined;
  const k = key(msg.channel, msg.externalId);
  const storedReplies = replies.stored.get(k) ?? [];
  const batchReplies = (replies.inBatch.get(k) ?? []).filter((r) => r.caseId);
  const inCase = (id: string) =>
    storedReplies.filter((r) => r.caseId === id).length +
    batchReplies.filter((r) => r.caseId === id).length;
  const ids = new Set<string>();
  for (const r of [...storedReplies, ...batchReplies]) {
    if (
      r.direction === 'in' &&
      r.visibility === 'public' &&
      r.caseId &&
      r.customerId !== item.customerId
    )
      ids.add(r.caseId);
  }
  let best: CaseState | undefined;
  for (const id of ids) {
    const c = batch.cases.get(id);
    if (!c || c.history || c.customerId === item.customerId || !OPEN_STATES.has(c.status)) continue;
    // Everything it holds answers this message: its stored messages and what this batch added.
    const held =
      (c.isNew ? 0 : (replies.storedCounts.get(id) ?? Number.POSITIVE_INFINITY)) + c.addedMessages;
    if (held !== inCase(id)) continue;
    if (!best || c.openedAt < best.openedAt) best = c;
  }
  return best;
}

/**
 * The brand's replies to this message that came first and were kept as orphans: those of this
 * batch are returned to be threaded again (thread.ts), the stored ones are recorded on the batch
 * for persist to move into the message's case.
 */
export function orphanRepliesTo(
  batch: BatchState,
  item: WorkItem,
): { inBatch: WorkItem[]; stored: { messageId: string; sentAt: number }[] } {
  const replies = repliesOf.get(batch);
  const msg = item.msg;
  if (!replies || !msg) return { inBatch: [], stored: [] };
  const k = key(msg.channel, msg.externalId);
  const inBatch = (replies.inBatch.get(k) ?? []).filter(
    (r) => r.direction === 'out' && r.caseAction === 'orphan',
  );
  const stored = (replies.stored.get(k) ?? [])
    .filter((r) => r.direction === 'out' && !r.caseId)
    .map((r) => ({ messageId: r.messageId, sentAt: r.sentAt }));
  // Taken once: a second message under the same id (a duplicate) finds none left.
  replies.stored.set(
    k,
    (replies.stored.get(k) ?? []).filter((r) => r.direction !== 'out' || r.caseId),
  );
  return { inBatch, stored };
}
