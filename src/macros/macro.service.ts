import type { Kysely } from 'kysely';
import { getCase } from '../cases/case.queries.js';
import { defaultReplyVisibility, type ReplyCheck, replyInTrx } from '../cases/case.reply.js';
import { type CaseLinks, updateInTrx } from '../cases/case.service.js';
import { caseEvent, claimVersion, loadCase } from '../cases/case.store.js';
import { refuseErasedCase } from '../customers/erased.js';
import { caseWriteTransaction } from '../platform/db/case-writes-lock.js';
import type { DB, Priority } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { newId } from '../platform/ids.js';
import { assertUser } from '../routing/routing.schema.js';
import {
  PRIVATE_VALUE_MAX,
  PUBLIC_VALUE_MAX,
  privateValue,
  publicValue,
} from './template-values.js';

/**
 * Canned replies with variables and macros (a named list of actions applied in one
 * transaction: all or nothing). Variables: `{{customer.name}}`, `{{customer.first_name}}`,
 * `{{agent.name}}`, `{{case.number}}`, `{{case.subject}}`; an unknown variable is an error so
 * a customer never receives "Hi {{custmer.name}}".
 */
export interface RenderContext {
  customer: { name: string | null };
  agent: { name: string };
  case: { number: number; subject: string };
}

/** Where the rendered text goes: a public post, or the customer alone (or a note). */
export type Audience = 'public' | 'private';

/**
 * Fills the variables in one pass (a value holding `{{…}}` is not expanded again). The customer's
 * name and the case subject are theirs to write: in a public reply they are made inert (no
 * mention, hashtag or link: `template-values.ts`), in a private one bounded.
 */
export function renderTemplate(body: string, ctx: RenderContext, audience: Audience): string {
  const customer = (text: string, kind: 'name' | 'subject') =>
    audience === 'public'
      ? publicValue(text, PUBLIC_VALUE_MAX[kind])
      : privateValue(text, PRIVATE_VALUE_MAX[kind]);
  const name = customer(ctx.customer.name ?? '', 'name');
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, key: string) => {
    switch (key) {
      case 'customer.name':
        return name || 'there';
      case 'customer.first_name':
        return name.split(' ')[0] || 'there';
      case 'agent.name':
        return ctx.agent.name;
      case 'case.number':
        return String(ctx.case.number);
      case 'case.subject':
        return customer(ctx.case.subject, 'subject') || 'your request';
      default:
        throw new AppError('bad_request', `unknown template variable {{${key}}}`);
    }
  });
}

/** Refuses a template with an unknown variable when it is saved, not when an agent uses it. */
export function checkTemplate(body: string): void {
  renderTemplate(
    body,
    { customer: { name: 'x' }, agent: { name: 'x' }, case: { number: 1, subject: 'x' } },
    'private',
  );
}

/** `checkTemplate`, its refusal naming where in the request the template is. */
function checkTemplateAt(body: string, path: string): void {
  try {
    checkTemplate(body);
  } catch (err) {
    if (err instanceof AppError) throw new AppError('bad_request', `${path}: ${err.message}`);
    throw err;
  }
}

/**
 * Refuses a macro that could never apply: a reply with neither text nor canned reply, a canned
 * reply or user that does not exist, or reply or note text with an unknown variable (a note is
 * rendered like a reply, so every use of the macro would fail on it).
 */
export async function checkMacroActions(
  db: Kysely<DB>,
  ws: string,
  actions: readonly MacroAction[],
): Promise<void> {
  for (const [i, a] of actions.entries()) {
    // Said here rather than by the schema: Ajv reports an unknown field of a union's member
    // against every member, and the answer named the wrong one.
    const extra = Object.keys(a).find((k) => !ACTION_FIELDS[a.type].includes(k));
    if (extra !== undefined)
      throw new AppError('bad_request', `actions/${i}: a ${a.type} action has no field "${extra}"`);
    if (a.type === 'reply') {
      if (!a.text && !a.cannedReplyId)
        throw new AppError('bad_request', `actions/${i}: a reply needs text or cannedReplyId`);
      if (a.text) checkTemplateAt(a.text, `actions/${i}/text`);
      if (a.cannedReplyId) {
        const found = await db
          .selectFrom('canned_replies')
          .select('id')
          .where('workspace_id', '=', ws)
          .where('id', '=', a.cannedReplyId)
          .executeTakeFirst();
        if (!found)
          throw new AppError(
            'bad_request',
            `actions/${i}: unknown cannedReplyId ${a.cannedReplyId}`,
          );
      }
    }
    if (a.type === 'note') checkTemplateAt(a.body, `actions/${i}/body`);
    if (a.type === 'assign' && a.userId) await assertUser(db, ws, a.userId, `actions/${i}/userId`);
  }
}

const ACTION_FIELDS: Record<MacroAction['type'], readonly string[]> = {
  reply: ['type', 'text', 'cannedReplyId', 'visibility'],
  note: ['type', 'body'],
  status: ['type', 'status', 'statusReason', 'reason'],
  priority: ['type', 'priority'],
  assign: ['type', 'userId'],
};

export type MacroAction =
  | { type: 'reply'; text?: string; cannedReplyId?: string; visibility?: 'public' | 'private' }
  | { type: 'note'; body: string }
  | {
      type: 'status';
      status: 'open' | 'pending' | 'resolved' | 'closed';
      statusReason?: 'customer' | 'internal';
      reason?: string;
    }
  | { type: 'priority'; priority: Priority }
  | { type: 'assign'; userId: string | null };

export async function renderContext(
  trx: Kysely<DB>,
  actor: Actor,
  caseId: string,
): Promise<RenderContext & { replyVisibility: Audience }> {
  const c = await loadCase(trx, actor.workspaceId, caseId);
  const cust = await trx
    .selectFrom('customers')
    .select('display_name')
    .where('id', '=', c.customer_id)
    .executeTakeFirst();
  return {
    customer: { name: cust?.display_name ?? null },
    agent: { name: actor.name },
    case: { number: Number(c.number), subject: c.subject },
    replyVisibility: await defaultReplyVisibility(trx, c),
  };
}

async function cannedBody(trx: Kysely<DB>, ws: string, id: string) {
  const r = await trx
    .selectFrom('canned_replies')
    .select('body')
    .where('workspace_id', '=', ws)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r) throw notFound('canned reply');
  return r.body;
}

/**
 * Renders a canned reply for a case (preview before sending), for a reply of `visibility`, by
 * default the one a reply on the case takes; the answer says which.
 */
export async function renderCanned(
  db: Kysely<DB>,
  actor: Actor,
  cannedId: string,
  caseId: string,
  visibility?: Audience,
) {
  const body = await cannedBody(db, actor.workspaceId, cannedId);
  const ctx = await renderContext(db, actor, caseId);
  const audience = visibility ?? ctx.replyVisibility;
  return { text: renderTemplate(body, ctx, audience), visibility: audience };
}

/** The most actions a macro holds (the routes' schema says so when one is saved). */
export const MACRO_MAX_ACTIONS = 20;

/**
 * Applies a macro's actions in order, in one transaction. One saved before the cap with more
 * actions is refused rather than writing that many history entries in one request.
 */
export async function applyMacro(
  db: Kysely<DB>,
  actor: Actor,
  macroId: string,
  caseId: string,
  now: number,
  links: CaseLinks,
  expectedVersion?: number,
  /** The channel's rules, asked of each reply the macro sends: a refusal applies none of it. */
  check?: ReplyCheck,
) {
  return caseWriteTransaction(db, async (trx) => {
    const m = await trx
      .selectFrom('macros')
      .selectAll()
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', macroId)
      .executeTakeFirst();
    if (!m) throw notFound('macro');
    const actions = JSON.parse(m.actions_json) as MacroAction[];
    if (actions.length > MACRO_MAX_ACTIONS)
      throw new AppError(
        'bad_request',
        `this macro has ${actions.length} actions, more than the ${MACRO_MAX_ACTIONS} a macro may hold: save a shorter one`,
      );
    const ctx = await renderContext(trx, actor, caseId);
    let first = true;
    for (const a of actions) {
      // Only the first action checks the version the agent saw; later ones build on it.
      const ev = first ? expectedVersion : undefined;
      first = false;
      if (a.type === 'reply') {
        const raw =
          a.text ??
          (a.cannedReplyId ? await cannedBody(trx, actor.workspaceId, a.cannedReplyId) : '');
        // Rendered for the visibility it is sent with, named so that the two agree.
        const visibility = a.visibility ?? ctx.replyVisibility;
        await replyInTrx(
          trx,
          actor,
          caseId,
          { text: renderTemplate(raw, ctx, visibility), visibility, expectedVersion: ev },
          now,
          check,
        );
      } else if (a.type === 'note') {
        // A note changes no versioned field, yet a macro led by one must still refuse a stale
        // view (409): the version is claimed here, as the other actions claim it.
        const c = await loadCase(trx, actor.workspaceId, caseId);
        // As `…/notes` refuses it: new text on an erased case (the whole macro is refused).
        await refuseErasedCase(trx, c);
        if (ev !== undefined) await claimVersion(trx, c, ev);
        await trx
          .insertInto('notes')
          .values({
            id: newId(),
            workspace_id: actor.workspaceId,
            case_id: caseId,
            author_id: actor.id,
            body: renderTemplate(a.body, ctx, 'private'),
            mentions_json: '[]',
            created_at: now,
          })
          .execute();
      } else if (a.type === 'status') {
        await updateInTrx(
          trx,
          actor,
          caseId,
          { status: a.status, statusReason: a.statusReason, reason: a.reason, expectedVersion: ev },
          now,
          links,
        );
      } else if (a.type === 'priority') {
        await updateInTrx(
          trx,
          actor,
          caseId,
          { priority: a.priority, expectedVersion: ev },
          now,
          links,
        );
      } else if (a.type === 'assign') {
        await updateInTrx(
          trx,
          actor,
          caseId,
          { assigneeId: a.userId, expectedVersion: ev },
          now,
          links,
        );
      }
    }
    await caseEvent(
      trx,
      actor.workspaceId,
      caseId,
      actor,
      'macro_applied',
      { macroId, name: m.name },
      now,
    );
    // With its customer's name, as the case's other answers show it.
    const c = await getCase(trx, actor.workspaceId, caseId);
    if (!c) throw notFound('case');
    return c;
  });
}
