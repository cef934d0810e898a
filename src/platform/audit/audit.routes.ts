import { Type } from '@sinclair/typebox';
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import { badRequest } from '../errors.js';
import type { Http } from '../http/server.js';

const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuditFilter {
  /** Comma-separated actions; one ending in `.` or `*` is a prefix (`user.`: every user action). */
  action?: string;
  /** An actor id (user, token, OS user of a CLI command), or a type: `cli`, `system`. */
  actor?: string;
  since?: number;
  until?: number;
  limit: number;
  cursor?: string;
}

/** A prefix test without LIKE (whose escaping differs between the engines). */
const prefix = (eb: ExpressionBuilder<DB, 'audit_log'>, p: string) =>
  eb(sql<string>`substr(action, 1, ${sql.lit(p.length)})`, '=', p);

/** One page of the audit log, newest first, keyset-paged by id (UUIDv7: time order). */
export async function listAudit(db: Kysely<DB>, workspaceId: string, f: AuditFilter) {
  const cursor = f.cursor || undefined;
  if (cursor !== undefined && !ID_RE.test(cursor)) throw badRequest('cursor is not valid');
  let q = db.selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId);
  const actions = f.action
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (actions?.length)
    q = q.where((eb) =>
      eb.or(
        actions.map((a) =>
          /[.*]$/.test(a) ? prefix(eb, a.replace(/\*$/, '')) : eb('action', '=', a),
        ),
      ),
    );
  if (f.actor) {
    const a = f.actor.trim();
    q = q.where((eb) => eb.or([eb('actor_id', '=', a), eb('actor_type', '=', a)]));
  }
  if (f.since !== undefined) q = q.where('created_at', '>=', f.since);
  if (f.until !== undefined) q = q.where('created_at', '<', f.until);
  if (cursor) q = q.where('id', '<', cursor.toLowerCase());
  const rows = await q
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
  const page = rows.slice(0, f.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      at: new Date(Number(r.created_at)).toISOString(),
      actor: { type: r.actor_type, id: r.actor_id },
      action: r.action,
      target: r.target,
      data: JSON.parse(r.data_json) as unknown,
    })),
    nextCursor: rows.length > f.limit ? page[page.length - 1].id : null,
  };
}

const time = (name: string, v: string | undefined) => {
  if (v === undefined || v === '') return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw badRequest(`${name} must be an ISO date-time`);
  return ms;
};

/** `GET /api/v1/audit`: admins read the log; nothing in the API writes, edits or deletes it. */
export function auditRoutes(app: Http, deps: { db: Kysely<DB> }) {
  app.get(
    '/api/v1/audit',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['admin'],
        summary:
          'The append-only audit log, newest first: filters action (comma list; `user.` is a prefix), actor (id or type), since/until',
        querystring: Type.Object({
          action: Type.Optional(Type.String({ maxLength: 500 })),
          actor: Type.Optional(Type.String({ maxLength: 200 })),
          since: Type.Optional(Type.String({ maxLength: 40 })),
          until: Type.Optional(Type.String({ maxLength: 40 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
        }),
      },
    },
    async (req) =>
      listAudit(deps.db, req.actor.workspaceId, {
        action: req.query.action,
        actor: req.query.actor,
        since: time('since', req.query.since),
        until: time('until', req.query.until),
        limit: req.query.limit ?? 100,
        cursor: req.query.cursor,
      }),
  );
}
