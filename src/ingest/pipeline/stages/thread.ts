import { newId } from '../../../platform/ids.js';
import { isClosingReply } from '../../../triage/closing.js';
import {
  type BatchState,
  type CaseState,
  key,
  type Stage,
  type StageContext,
  type WorkItem,
} from '../types.js';
import { caseStateOf } from './case-row.js';
import {
  caseOfEarlierReply,
  loadEarlierReplies,
  orphanRepliesTo,
  rootedCaseOfOthers,
} from './thread.replies-first.js';

const OPEN_STATES = new Set(['new', 'open', 'pending']);

/**
 * Puts each message into a case, by event time:
 * 1. a reply joins the case of the message it answers (a private one only its own customer's),
 *    and a message whose replies came first threads as the right order would have left it
 *    (thread.replies-first.ts);
 * 2. otherwise — unless it is a public post that starts a new conversation — the customer's
 *    latest open case, if its last message is within the thread window;
 * 3. a resolved case is reopened when the customer returns within the reopen window;
 * 4. otherwise a new case.
 * Outbound messages (agent replies from history or echoes) join the case they answer, or are
 * kept as orphans when we cannot tell which case they belong to.
 * Reads happen up front in a few batched queries; decisions are made in memory, in order.
 */
export const thread: Stage = {
  name: 'thread',
  async run(batch: BatchState, ctx: StageContext) {
    await loadKnownMessages(batch, ctx);
    await loadCases(batch, ctx);
    await loadEarlierReplies(batch, ctx);
    for (const item of batch.items) {
      if (!item.msg || item.rejected || item.duplicate) continue;
      if (item.direction === 'in') threadInbound(batch, ctx, item);
      else threadOutbound(batch, item);
      batch.messageIndex.set(key(item.msg.channel, item.msg.externalId), {
        caseId: item.caseId,
        customerId: item.customerId,
      });
      if (item.direction === 'in') adoptOrphanReplies(batch, item);
    }
  },
};

/**
 * The brand's replies to this message that came before it (kept as orphans) join its case now,
 * as they would have in the right order: a first response, and a new case opened by it.
 */
function adoptOrphanReplies(batch: BatchState, item: WorkItem) {
  const c = item.caseId ? batch.cases.get(item.caseId) : undefined;
  if (!c) return;
  const { inBatch, stored } = orphanRepliesTo(batch, item);
  for (const r of inBatch) {
    threadOutbound(batch, r);
    batch.messageIndex.set(key(r.msg!.channel, r.msg!.externalId), {
      caseId: r.caseId,
      customerId: r.customerId,
    });
  }
  for (const r of stored) {
    if (c.firstResponseAt === null && r.sentAt >= c.openedAt) c.firstResponseAt = r.sentAt;
    if (c.status === 'new' && !c.history)
      setStatus(batch, c, 'open', null, r.sentAt, 'agent replied');
    // A stored orphan is not known to be history; the parent that adopts it is.
    resolveHistoryAt(c, { history: item.history, sentAt: r.sentAt });
    c.addedMessages++;
    c.dirty = true;
    c.lastMessageAt = Math.max(c.lastMessageAt, r.sentAt);
    batch.adoptedReplies.push({ ...r, caseId: c.id, customerId: c.customerId });
  }
}

/** Loads the batch's own keys (to spot already-stored duplicates) and the parents they answer. */
async function loadKnownMessages(batch: BatchState, ctx: StageContext) {
  const byChannel = new Map<string, Set<string>>();
  const want = (channel: string, id: string) => {
    if (batch.messageIndex.has(key(channel, id))) return;
    const s = byChannel.get(channel) ?? new Set<string>();
    byChannel.set(channel, s);
    s.add(id);
  };
  for (const item of batch.items) {
    if (!item.msg || item.rejected) continue;
    want(item.msg.channel, item.msg.externalId);
    if (item.msg.inReplyTo) want(item.msg.channel, item.msg.inReplyTo);
  }
  const own = new Set(batch.items.map((i) => (i.msg ? key(i.msg.channel, i.msg.externalId) : '')));
  for (const [channel, ids] of byChannel) {
    const list = [...ids];
    for (let i = 0; i < list.length; i += 1000) {
      const rows = await ctx.trx
        .selectFrom('messages')
        .select(['external_id', 'case_id', 'customer_id'])
        .where('workspace_id', '=', ctx.settings.workspaceId)
        .where('channel', '=', channel)
        .where('external_id', 'in', list.slice(i, i + 1000))
        .execute();
      for (const r of rows) {
        const k = key(channel, r.external_id);
        batch.messageIndex.set(k, { caseId: r.case_id, customerId: r.customer_id });
        if (own.has(k)) {
          for (const item of batch.items) {
            if (item.msg && key(item.msg.channel, item.msg.externalId) === k) item.duplicate = true;
          }
        }
      }
    }
  }
}

/** Loads the cases that parents live in and each customer's latest non-closed case. */
async function loadCases(batch: BatchState, ctx: StageContext) {
  const caseIds = new Set<string>();
  const customerIds = new Set<string>();
  for (const item of batch.items) {
    if (!item.msg || item.rejected || item.duplicate) continue;
    if (item.msg.inReplyTo) {
      const parent = batch.messageIndex.get(key(item.msg.channel, item.msg.inReplyTo));
      if (parent?.caseId && !batch.cases.has(parent.caseId)) caseIds.add(parent.caseId);
    }
    if (item.customerId && !batch.latestCaseByCustomer.has(item.customerId)) {
      customerIds.add(item.customerId);
    }
  }
  // An erased case takes no new messages: a reply to a post in it, by anyone (the erased person
  // writing again from the same address too), starts or joins a case of its own, so nothing new
  // ties a person to the case's de-identified rows. Outbound history answering it is an orphan.
  // The workspace is checked on the rows, not in the WHERE clause: with `workspace_id = ?` there,
  // SQLite without planner statistics walks one of the workspace-wide case indexes (every case
  // of the installation, every batch) instead of looking the ids up. Ids are unique anyway.
  const ws = ctx.settings.workspaceId;
  const ids = [...caseIds];
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await ctx.trx
      .selectFrom('cases')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
    for (const r of rows)
      if (r.workspace_id === ws && !r.erased_at) batch.cases.set(r.id, caseStateOf(r));
  }
  const customers = [...customerIds];
  for (let i = 0; i < customers.length; i += 1000) {
    const rows = await ctx.trx
      .selectFrom('cases')
      .selectAll()
      .where('customer_id', 'in', customers.slice(i, i + 1000))
      .where('status', '!=', 'closed')
      .orderBy('last_message_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    // Ascending order: the last row seen per customer is their latest case.
    for (const r of rows) {
      if (r.workspace_id !== ws || r.erased_at) continue;
      if (!batch.cases.has(r.id)) batch.cases.set(r.id, caseStateOf(r));
      batch.latestCaseByCustomer.set(r.customer_id, r.id);
    }
  }
}

function threadInbound(batch: BatchState, ctx: StageContext, item: WorkItem) {
  const msg = item.msg!;
  const { threadWindowMs, reopenWindowMs } = ctx.settings;
  const customerId = item.customerId!;
  let target: CaseState | undefined;
  if (msg.inReplyTo) {
    const parent = batch.messageIndex.get(key(msg.channel, msg.inReplyTo));
    const parentCase = parent?.caseId ? batch.cases.get(parent.caseId) : undefined;
    // A public reply joins the conversation's case whoever wrote it: on social media the
    // conversation is the unit agents work (and answer in). A private reply only ever joins
    // its own customer's case.
    if (parentCase && (parentCase.customerId === customerId || item.visibility === 'public')) {
      target = parentCase;
    }
  }
  // Its reply came first (out-of-order delivery): it joins the reply's case.
  if (!target) target = caseOfEarlierReply(batch, item);
  // A public post that answers nothing starts a conversation of its own (on X or a Page it is
  // answered in its own thread), so it gets its own case; the customer timeline links them.
  // A resolved case is still reopened by it: the customer is back about what we closed.
  const startsPublicConversation = item.visibility === 'public' && !msg.inReplyTo;
  if (item.history) return threadHistory(batch, ctx, item, target, startsPublicConversation);
  if (!target) {
    const latestId = batch.latestCaseByCustomer.get(customerId);
    const latest = latestId ? batch.cases.get(latestId) : undefined;
    if (latest && OPEN_STATES.has(latest.status) && !startsPublicConversation) {
      if (Math.abs(item.sentAt - latest.lastMessageAt) <= threadWindowMs) target = latest;
    } else if (latest && latest.status === 'resolved') {
      target = latest;
    }
  }
  // A reply that only says thanks or that it works now joins a case that waits on the customer
  // or was resolved, and leaves it as it is: nothing in it for an agent to do. (Read only for
  // those cases: most messages join an open case.)
  const closing = () => isClosingReply(item.text, item.triage);
  if (target && target.status === 'resolved') {
    const since = item.sentAt - (target.resolvedAt ?? target.lastMessageAt);
    if (since <= reopenWindowMs) {
      if (closing()) return acknowledge(batch, target, item);
      reopen(batch, target, item);
      attach(batch, target, item, 'reopened');
      return;
    }
    target = undefined;
  }
  if (target && target.status === 'closed') target = undefined;
  if (target) {
    if (target.status === 'pending' && target.statusReason === 'customer') {
      if (closing()) return acknowledge(batch, target, item);
      // The customer answered what we were waiting for.
      setStatus(batch, target, 'open', null, item.sentAt, 'customer replied');
    }
    attach(batch, target, item, 'joined');
    return;
  }
  // Another customer's public reply came first and opened the conversation's case: in the
  // right order it would have joined the case this message opens, so this message takes it over.
  const rooted = rootedCaseOfOthers(batch, item);
  if (rooted) return takeOver(batch, rooted, item);
  createCase(batch, item, 'new');
}

/**
 * Makes a case opened by another customer's reply this message's own, as if this message had
 * opened it and the reply joined (what the right order gives): its customer, opening time,
 * subject and language become this message's. Its first messages' SLA clocks are started at
 * the opening time when the case is this batch's; a stored case's clocks keep their start.
 */
function takeOver(batch: BatchState, c: CaseState, item: WorkItem) {
  const msg = item.msg!;
  const from = c.customerId;
  // The reply's writer's next message goes to a case of theirs, as in the right order.
  if (batch.latestCaseByCustomer.get(from) === c.id) batch.latestCaseByCustomer.delete(from);
  c.customerId = item.customerId!;
  c.openedAt = Math.min(c.openedAt, item.sentAt);
  c.subject = subjectOf(msg.subject?.trim() ? msg.subject : item.text);
  c.language = item.triage?.language ?? c.language;
  c.rerooted = { from, triage: item.triage };
  c.dirty = true;
  if (c.isNew) {
    const created = batch.caseEvents.find((e) => e.caseId === c.id && e.type === 'created');
    if (created) created.eventAt = c.openedAt;
  }
  batch.caseEvents.push({
    caseId: c.id,
    type: 'rerooted',
    data: { from, to: c.customerId, channel: msg.channel, externalId: msg.externalId },
    eventAt: item.sentAt,
  });
  attach(batch, c, item, 'joined');
}

/**
 * A history message (`import`): past work, threaded as the desk would have threaded it live, but
 * it changes no status (no reopen, no "customer replied") and what it opens is resolved at its
 * time. A reply joins the case of what it answers; otherwise, unless it starts a public
 * conversation, the customer's latest case within the thread window (resolved or not: a history
 * case is resolved only because it is history). A resolved case it joins counts as resolved at
 * its time, so a live message reopens it within the reopen window from there. It starts no SLA
 * clock (`planSla`) and no case it opens is queued for assignment (route).
 */
function threadHistory(
  batch: BatchState,
  ctx: StageContext,
  item: WorkItem,
  parentCase: CaseState | undefined,
  startsPublicConversation: boolean,
) {
  let target = parentCase;
  if (!target && !startsPublicConversation) {
    const latestId = batch.latestCaseByCustomer.get(item.customerId!);
    const latest = latestId ? batch.cases.get(latestId) : undefined;
    if (latest && Math.abs(item.sentAt - latest.lastMessageAt) <= ctx.settings.threadWindowMs)
      target = latest;
  }
  if (target?.status === 'closed') target = undefined;
  if (!target) return createCase(batch, item, 'resolved');
  resolveHistoryAt(target, item);
  attach(batch, target, item, 'joined');
}

/**
 * A resolved case that history joins counts as resolved at its last message, whoever wrote it:
 * the brand's imported reply too (also one adopted when its parent came later), or the case
 * would be resolved before our answer.
 */
function resolveHistoryAt(c: CaseState, item: Pick<WorkItem, 'history' | 'sentAt'>) {
  if (item.history && c.status === 'resolved')
    c.resolvedAt = Math.max(c.resolvedAt ?? item.sentAt, item.sentAt);
}

function createCase(batch: BatchState, item: WorkItem, status: 'new' | 'resolved') {
  const msg = item.msg!;
  const customerId = item.customerId!;
  const created: CaseState = {
    id: newId(),
    customerId,
    status,
    statusReason: null,
    priority: 'normal',
    queueId: null,
    channel: msg.channel,
    // An e-mail's Subject names the case as its writer did; other channels have only the text.
    subject: subjectOf(msg.subject?.trim() ? msg.subject : item.text),
    language: item.triage?.language ?? null,
    openedAt: item.sentAt,
    lastMessageAt: item.sentAt,
    lastInboundAt: null,
    firstResponseAt: null,
    resolvedAt: status === 'resolved' ? item.sentAt : null,
    isNew: true,
    dirty: true,
    addedMessages: 0,
    ...(item.history ? { history: true } : {}),
  };
  batch.cases.set(created.id, created);
  batch.latestCaseByCustomer.set(customerId, created.id);
  batch.caseEvents.push({
    caseId: created.id,
    type: 'created',
    data: {
      channel: msg.channel,
      externalId: msg.externalId,
      ...(item.history ? { history: true, status } : {}),
    },
    eventAt: item.sentAt,
  });
  attach(batch, created, item, 'created');
}

function threadOutbound(batch: BatchState, item: WorkItem) {
  const msg = item.msg!;
  const parent = msg.inReplyTo ? batch.messageIndex.get(key(msg.channel, msg.inReplyTo)) : null;
  const target = parent?.caseId ? batch.cases.get(parent.caseId) : undefined;
  if (!target) {
    item.caseAction = 'orphan';
    return;
  }
  item.customerId = target.customerId;
  if (target.firstResponseAt === null && item.sentAt >= target.openedAt) {
    target.firstResponseAt = item.sentAt;
  }
  if (target.status === 'new' && !item.history)
    setStatus(batch, target, 'open', null, item.sentAt, 'agent replied');
  resolveHistoryAt(target, item);
  attach(batch, target, item, 'joined');
}

function attach(batch: BatchState, c: CaseState, item: WorkItem, action: WorkItem['caseAction']) {
  item.caseId = c.id;
  item.caseAction = action;
  c.addedMessages++;
  c.dirty = true;
  c.lastMessageAt = Math.max(c.lastMessageAt, item.sentAt);
  if (item.direction === 'in') {
    c.lastInboundAt = Math.max(c.lastInboundAt ?? item.sentAt, item.sentAt);
    batch.latestCaseByCustomer.set(c.customerId, c.id);
  }
}

/** A closing reply joins the case without changing its status (see `isClosingReply`). */
function acknowledge(batch: BatchState, c: CaseState, item: WorkItem) {
  attach(batch, c, item, 'acknowledged');
  batch.caseEvents.push({
    caseId: c.id,
    type: 'acknowledged',
    data: { channel: item.msg!.channel, externalId: item.msg!.externalId, status: c.status },
    eventAt: item.sentAt,
  });
}

function reopen(batch: BatchState, c: CaseState, item: WorkItem) {
  setStatus(batch, c, 'open', null, item.sentAt, 'customer came back');
  c.resolvedAt = null;
  batch.caseEvents.push({
    caseId: c.id,
    type: 'reopened',
    data: { channel: item.msg!.channel, externalId: item.msg!.externalId },
    eventAt: item.sentAt,
  });
}

function setStatus(
  batch: BatchState,
  c: CaseState,
  status: CaseState['status'],
  reason: string | null,
  at: number,
  why: string,
) {
  if (c.status === status && c.statusReason === reason) return;
  batch.caseEvents.push({
    caseId: c.id,
    type: 'status_changed',
    data: { from: c.status, to: status, reason, why },
    eventAt: at,
  });
  c.status = status;
  c.statusReason = reason;
  c.dirty = true;
}

/** The case's subject: the first message on one line, cut at 120 UTF-16 units. */
export function subjectOf(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= 120) return oneLine || '(no text)';
  // Never cut between the two halves of a surrogate pair (an emoji): half of one is not text,
  // and PostgreSQL refuses it inside JSON.
  let end = 117;
  const last = oneLine.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${oneLine.slice(0, end)}…`;
}
