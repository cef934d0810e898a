import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { type AuditActor, audit } from '../platform/audit/audit.js';
import { findApiToken } from '../platform/auth/tokens.js';
import { findSession } from '../platform/auth/users.js';
import type { DB } from '../platform/db/schema.js';
import { SESSION_COOKIE } from '../platform/http/auth.js';

/*
 * A survey is its customer's to answer. A request carrying a desk credential (the session
 * cookie, or a bearer API token) comes from someone who works the desk, whose answer would rate
 * their own or a colleague's help: it is refused, valid credential or stale. The desk no longer
 * shows survey links (csat.service.ts), so this stops the rest: a link opened from the desk's
 * own browser, or sent by a script holding a token.
 */

const BEARER = /^Bearer\s+(\S+)$/i;

export const DESK_CALLER_MESSAGE =
  'a survey is answered by its customer: this request carries a desk sign-in (session or API token)';

/** Whether the request carries a desk credential, valid or not. */
export function fromTheDesk(req: FastifyRequest): boolean {
  return BEARER.test(req.headers.authorization ?? '') || !!req.cookies?.[SESSION_COOKIE];
}

/** The desk user or token behind the request's credential, if it still holds. */
async function deskActor(
  db: Kysely<DB>,
  req: FastifyRequest,
): Promise<{ actor: AuditActor; workspaceId: string } | null> {
  const bearer = BEARER.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) {
    const t = await findApiToken(db, bearer);
    if (t) return { actor: { type: 'token', id: t.id }, workspaceId: t.workspace_id };
  }
  const sid = req.cookies?.[SESSION_COOKIE];
  if (sid) {
    const s = await findSession(db, sid);
    if (s) return { actor: { type: 'user', id: s.id }, workspaceId: s.workspace_id };
  }
  return null;
}

/**
 * Whether an answer comes from the desk and is to be refused. When a known desk user or token is
 * behind it, the attempt is recorded in the audit log as `csat.answer_refused` (with the survey's
 * id, when the token is one), for whoever reviews the desk's ratings.
 */
export async function refuseDeskAnswer(
  db: Kysely<DB>,
  req: FastifyRequest,
  surveyToken: string,
  now: number,
): Promise<boolean> {
  if (!fromTheDesk(req)) return false;
  const who = await deskActor(db, req);
  if (who) {
    const survey = await db
      .selectFrom('csat_surveys')
      .select('id')
      .where('token', '=', surveyToken)
      .where('workspace_id', '=', who.workspaceId)
      .executeTakeFirst();
    await audit(db, {
      workspaceId: who.workspaceId,
      actor: who.actor,
      action: 'csat.answer_refused',
      target: survey?.id ?? null,
      data: { via: req.routeOptions.url?.startsWith('/api/') ? 'api' : 'page' },
      at: now,
    });
  }
  return true;
}
