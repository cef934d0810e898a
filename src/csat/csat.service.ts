import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { replyInTrx } from '../cases/case.reply.js';
import { isErasedCase, refuseErasedCase } from '../customers/erased.js';
import type { DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { newId } from '../platform/ids.js';
import { SURVEY_INVITE, SURVEY_LINK_HIDDEN, surveyLink } from './survey-link.js';

/**
 * CSAT: when a case is resolved, one short survey goes out on the case's channel with a link
 * to the survey page (`<public URL>/csat/<token>`, see csat.page.ts). Answers are stored per
 * case, channel and agent. Public social channels get no survey message (asking for a rating in
 * public is noise), and none is recorded as sent. A call cannot carry a link, so a voice case's
 * survey goes by SMS to the number that called (the usual post-call survey).
 *
 * The link's token is the only credential the answer needs, so only the customer's copy (the
 * outbox's) holds it: the message the desk stores and shows reads `[survey link]`. An agent who
 * saw the link in the case answered their own customers' surveys.
 */
export async function sendSurveyOnResolve(
  trx: Kysely<DB>,
  actor: Actor,
  caseId: string,
  now: number,
  publicUrl: string,
) {
  const c = await trx
    .selectFrom('cases')
    .select(['id', 'customer_id', 'channel', 'assignee_id', 'erased_at'])
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  // Nobody to ask: the survey would go to the "[erased]" placeholder and take a comment, and an
  // unanswerable survey would lower the answer rate. The case resolves all the same.
  if (await isErasedCase(trx, c)) return;
  // One survey waiting for an answer is enough; one that never reached the customer is not.
  const already = await trx
    .selectFrom('csat_surveys')
    .leftJoin('messages', 'messages.id', 'csat_surveys.message_id')
    .select('csat_surveys.id')
    .where('csat_surveys.case_id', '=', caseId)
    .where('csat_surveys.answered_at', 'is', null)
    .where((eb) =>
      eb.or([eb('messages.status', 'is', null), eb('messages.status', '!=', 'failed')]),
    )
    .executeTakeFirst();
  if (already) return;
  const lastIn = await trx
    .selectFrom('messages')
    .select(['visibility', 'author_address'])
    .where('case_id', '=', c.id)
    .where('direction', '=', 'in')
    .where('channel', '=', c.channel)
    .orderBy('sent_at', 'desc')
    .executeTakeFirst();
  // A case handed off to a channel the customer has not written on yet (email → SMS) is answered
  // there, at the address the handoff gave (their newest identity on it, where replies now go).
  const handedTo = lastIn ? null : await handoffAddress(trx, c);
  // Public posts get no survey, and no survey row: the answer rate counts customers asked.
  if (lastIn?.visibility !== 'private' && !handedTo) return;
  const token = randomBytes(16).toString('base64url');
  const surveyId = newId();
  await trx
    .insertInto('csat_surveys')
    .values({
      id: surveyId,
      workspace_id: actor.workspaceId,
      case_id: c.id,
      customer_id: c.customer_id,
      channel: c.channel,
      agent_id: c.assignee_id ?? (actor.type === 'user' ? actor.id : null),
      token,
      sent_at: now,
      rating: null,
      comment: null,
      answered_at: null,
      message_id: null,
    })
    .execute();
  // A caller's number (author_address on a voice message) is their SMS address too.
  const to = lastIn?.author_address ?? handedTo ?? undefined;
  const byText = c.channel === 'voice' ? { channel: 'sms', to } : handedTo ? { to: handedTo } : {};
  const sent = await replyInTrx(
    trx,
    actor,
    c.id,
    {
      text: `${SURVEY_INVITE} ${surveyLink(publicUrl, token)}`,
      deskText: `${SURVEY_INVITE} ${SURVEY_LINK_HIDDEN}`,
      visibility: 'private',
      automated: true,
      ...byText,
    },
    now,
  );
  // Its delivery says whether the customer was asked (statistics count a failed one apart).
  await trx
    .updateTable('csat_surveys')
    .set({ message_id: sent.id })
    .where('id', '=', surveyId)
    .execute();
}

/**
 * The customer's address on the case's channel when a handoff moved the case there (its latest
 * handoff went to this channel), else null.
 */
async function handoffAddress(
  trx: Kysely<DB>,
  c: { id: string; customer_id: string; channel: string },
): Promise<string | null> {
  const moved = await trx
    .selectFrom('case_events')
    .select('data_json')
    .where('case_id', '=', c.id)
    .where('type', '=', 'handoff')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!moved || (JSON.parse(moved.data_json) as { to?: string }).to !== c.channel) return null;
  const ident = await trx
    .selectFrom('identities')
    .select('address')
    .where('customer_id', '=', c.customer_id)
    .where('channel', '=', c.channel)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return ident?.address ?? null;
}

/** Stores the customer's answer (public endpoint: the token is the credential). */
export async function answerSurvey(
  db: Kysely<DB>,
  token: string,
  rating: number,
  comment: string | undefined,
  now: number,
) {
  const s = await db
    .selectFrom('csat_surveys')
    .selectAll()
    .where('token', '=', token)
    .executeTakeFirst();
  if (!s) throw notFound('survey');
  // A survey left unanswered when its customer was erased: its comment would be new data.
  const c = await db
    .selectFrom('cases')
    .select(['erased_at', 'customer_id'])
    .where('id', '=', s.case_id)
    .executeTakeFirst();
  if (c) await refuseErasedCase(db, c);
  // Conditional update: of two answers racing, exactly one is stored.
  const done = await db
    .updateTable('csat_surveys')
    .set({ rating, comment: comment ?? null, answered_at: now })
    .where('id', '=', s.id)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0)
    throw new AppError('invalid_transition', 'this survey was already answered');
  // The caller is anonymous (the token is its only credential): the desk's case id is not theirs.
  return { rating, answered: true };
}

/**
 * Average and count of answers per channel and agent, of the surveys sent in [from, to): a
 * period's answer rate then counts the customers asked in it, answered since or not. A survey
 * whose message failed (the provider refused it, no channel could carry it) asked nobody: it is
 * counted as `failed`, not `sent`. One still queued counts as sent.
 */
export async function csatStats(db: Kysely<DB>, ws: string, from: number, to: number) {
  const failed = sql<boolean>`messages.status = 'failed'`;
  const rows = await db
    .selectFrom('csat_surveys')
    .leftJoin('messages', 'messages.id', 'csat_surveys.message_id')
    .select([
      'csat_surveys.channel',
      'csat_surveys.agent_id',
      sql<number>`sum(case when ${failed} then 0 else 1 end)`.as('sent'),
      sql<number>`sum(case when ${failed} then 1 else 0 end)`.as('failed'),
      (eb) => eb.fn.count<number>('csat_surveys.rating').as('answered'),
      (eb) => eb.fn.avg<number>('csat_surveys.rating').as('average'),
    ])
    .where('csat_surveys.workspace_id', '=', ws)
    .where('csat_surveys.sent_at', '>=', from)
    .where('csat_surveys.sent_at', '<', to)
    .groupBy(['csat_surveys.channel', 'csat_surveys.agent_id'])
    .execute();
  return rows.map((r) => ({
    channel: r.channel,
    agentId: r.agent_id,
    sent: Number(r.sent),
    failed: Number(r.failed),
    answered: Number(r.answered),
    average: r.average === null ? null : Math.round(Number(r.average) * 100) / 100,
  }));
}
