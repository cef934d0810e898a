import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { PRIORITY_RANK, priorityOf } from '../routing/priority.js';
import { groupKeyOf } from '../routing/rules.js';
import type { TriageInput, TriageResult } from '../triage/index.js';

/** The classifier the pipeline's classify stage runs (the desk's model, corrections applied). */
export type Classify = (input: TriageInput) => TriageResult;

/** The edited message, as `applyOne` read it. */
export interface EditedMessage {
  id: string;
  caseId: string | null;
  channel: string;
  externalId: string;
}

/**
 * Triage follows an edit: the message is classified again, by the same function and with the same
 * input the pipeline gave it (its text, channel and the author's profile location from the logged
 * payload), and every triage field is replaced: complaint, topic, sentiment, urgency, area, spam,
 * language and the PII spans, which must be the new text's (offsets into the old text would point
 * at other characters, and PII only the new text holds would go unmarked).
 *
 * The case follows as later messages move it, not more:
 * - its priority rises when the new text's need is higher (as a later message raises it,
 *   route.ts), never falls: an agent may already be working it at that priority;
 * - its topic and surge group come from its first customer message (route.ts); when that is the
 *   edited one they follow, unless an agent corrected this message's topic by hand (their word
 *   on the case stands; the correction judged the old words and stays for them to revisit).
 * A closed or erased case is left as it is.
 *
 * The problem detector is not fed again: it saw the message once, when the pipeline stored it, and
 * an edit goes through no inbound event. Its warm-up after a restart reads the stored triage,
 * which is then the edited text's.
 */
export async function retriageEdited(
  trx: Kysely<DB>,
  workspaceId: string,
  msg: EditedMessage,
  text: string,
  /** The edit's provider time (the case history's event time) and the wall clock. */
  when: { at: number; now: number },
  classify: Classify,
): Promise<void> {
  const triage = classify({
    text,
    channel: msg.channel,
    authorLocation: await authorLocationOf(trx, workspaceId, msg),
  });
  await trx
    .updateTable('messages')
    .set({ triage_json: JSON.stringify(triage), language: triage.language })
    .where('id', '=', msg.id)
    .execute();
  if (msg.caseId) await caseFollows(trx, workspaceId, msg, triage, when);
}

/** The author's profile location the pipeline classified with, from the logged payload. */
async function authorLocationOf(
  trx: Kysely<DB>,
  workspaceId: string,
  msg: EditedMessage,
): Promise<string | undefined> {
  const logged = await trx
    .selectFrom('inbound_events')
    .select('payload_json')
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', msg.channel)
    .where('external_id', '=', msg.externalId)
    .executeTakeFirst();
  if (!logged) return undefined;
  try {
    const location = (JSON.parse(logged.payload_json) as { author?: { location?: unknown } }).author
      ?.location;
    return typeof location === 'string' ? location : undefined;
  } catch {
    return undefined;
  }
}

async function caseFollows(
  trx: Kysely<DB>,
  workspaceId: string,
  msg: EditedMessage,
  triage: TriageResult,
  when: { at: number; now: number },
): Promise<void> {
  const c = await trx
    .selectFrom('cases')
    .select(['id', 'priority', 'topic', 'group_key', 'status', 'erased_at'])
    .where('id', '=', msg.caseId!)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!c || c.status === 'closed' || c.erased_at) return;
  const set: { priority?: typeof c.priority; topic?: string | null; group_key?: string | null } =
    {};
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const need = priorityOf({
    topic: triage.topic,
    urgency: triage.urgency,
    complaint: triage.complaint,
    sentiment: triage.sentiment,
    waitingMs: 0,
  });
  if (PRIORITY_RANK[need.priority] > PRIORITY_RANK[c.priority]) {
    set.priority = need.priority;
    events.push({
      type: 'priority_changed',
      data: { from: c.priority, to: need.priority, why: 'message edited', score: need.score },
    });
  }
  if ((await isFirstCustomerMessage(trx, msg)) && !(await topicSetByHand(trx, msg))) {
    const groupKey = groupKeyOf(triage);
    if (c.topic !== triage.topic || c.group_key !== groupKey) {
      set.topic = triage.topic;
      set.group_key = groupKey;
      events.push({
        type: 'topic_changed',
        data: { from: c.topic, to: triage.topic, why: 'message edited', messageId: msg.id },
      });
    }
  }
  if (events.length === 0) return;
  // A change like an agent's: the version moves, so a change made on the old one is refused.
  await trx
    .updateTable('cases')
    .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
    .where('id', '=', c.id)
    .execute();
  await trx
    .insertInto('case_events')
    .values(
      events.map((e) => ({
        id: newId(),
        workspace_id: workspaceId,
        case_id: c.id,
        type: e.type,
        actor_type: 'system' as const,
        actor_id: 'channel',
        data_json: JSON.stringify(e.data),
        created_at: when.now,
        event_at: when.at,
      })),
    )
    .execute();
}

/** Whether the message is the case's first customer message, whose triage named its topic. */
async function isFirstCustomerMessage(trx: Kysely<DB>, msg: EditedMessage): Promise<boolean> {
  const first = await trx
    .selectFrom('messages')
    .select('id')
    .where('case_id', '=', msg.caseId)
    .where('direction', '=', 'in')
    .orderBy('sent_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return first?.id === msg.id;
}

/** Whether an agent corrected the message's topic (`POST /api/v1/messages/:id/triage`). */
async function topicSetByHand(trx: Kysely<DB>, msg: EditedMessage): Promise<boolean> {
  const corrected = await trx
    .selectFrom('triage_corrections')
    .select('id')
    .where('message_id', '=', msg.id)
    .where('topic', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return !!corrected;
}
