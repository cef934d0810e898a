import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { badRequest, notFound } from '../platform/errors.js';
import type { Http } from '../platform/http/server.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
/** Notification ids are UUIDv7: paging by id is paging by the time they were queued. */
const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = ['queued', 'sent', 'failed', 'undeliverable', 'superseded', 'cancelled'] as const;

const NotificationDto = Type.Object({
  id: Type.String(),
  updateId: Type.String({
    description: 'the status update (or `ack:` acknowledgement) it carries',
  }),
  caseId: Type.String(),
  customerId: Type.String(),
  status: Type.String({
    description:
      'queued (again, on the next route, when the provider reported a sent one undelivered), sent, failed (refused, or reported undelivered after sending, with no route left), undeliverable, superseded (out of date when its turn came: a newer one was queued or sent to the customer) or cancelled (never to be sent: the customer was erased, or their case left the problem; `error` says which)',
  }),
  channel: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()], {
    description: 'every route refused on the way, with the reason',
  }),
  text: Type.String(),
  queuedAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
});

/**
 * `GET /api/v1/problems/:id/notifications`: who was told what, on which channel, and who could
 * not be reached (a failed or undeliverable customer needs another way: a call, a letter). The
 * problem itself shows only the counts by status.
 */
export function problemNotificationRoutes(app: Http, deps: { db: Kysely<DB> }) {
  const { db } = deps;
  app.get(
    '/api/v1/problems/:id/notifications',
    {
      schema: {
        tags: ['problems'],
        summary:
          "A problem's notifications to its customers, per customer and update, oldest first",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: Type.Object({
          status: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(NotificationDto),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      const { status, cursor } = req.query;
      const limit = req.query.limit ?? 50;
      const statuses = status?.split(',').map((s) => s.trim());
      const unknown = statuses?.find((s) => !(STATUSES as readonly string[]).includes(s));
      if (unknown !== undefined)
        throw badRequest(`unknown status "${unknown}"; use ${STATUSES.join(', ')}`);
      // `?cursor=` is the first page, as on every other list (`nextCursor ?? ''` in clients).
      if (cursor && !ID_RE.test(cursor)) throw badRequest('cursor is not valid');
      const p = await db
        .selectFrom('problems')
        .select('id')
        .where('workspace_id', '=', ws)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!p) throw notFound('problem');
      let q = db
        .selectFrom('problem_notifications')
        .selectAll()
        .where('workspace_id', '=', ws)
        .where('problem_id', '=', p.id);
      if (statuses) q = q.where('status', 'in', statuses);
      if (cursor) q = q.where('id', '>', cursor.toLowerCase());
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      return {
        items: page.map((n) => ({
          id: n.id,
          updateId: n.update_id,
          caseId: n.case_id,
          customerId: n.customer_id,
          status: n.status,
          channel: n.channel,
          address: n.address,
          error: n.error,
          text: n.text,
          queuedAt: iso(n.created_at)!,
          sentAt: iso(n.sent_at),
        })),
        nextCursor: rows.length > limit ? page[page.length - 1].id : null,
      };
    },
  );
}
