import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { notFound } from '../platform/errors.js';
import { PAGE_LIMIT_DEFAULT, PageQuery } from '../platform/http/id-page.js';
import { ErrorBody, IdParams } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { MessageDto } from './case.dto.js';
import { caseHistoryPage, caseMessagesPage, messageDtos, toHistoryDto } from './case.timeline.js';

const HistoryEntry = Type.Object({
  id: Type.String(),
  type: Type.String(),
  actor: Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  data: Type.Unknown(),
  at: Type.Union([Type.String(), Type.Null()]),
  recordedAt: Type.Union([Type.String(), Type.Null()]),
});
const Listing = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/**
 * `GET /api/v1/cases/:id/messages` and `…/history`: the whole of a case's timeline and history,
 * paged as every list of the API is (id-page.ts), newest first, so a client goes back from
 * what the case view shows (its `messagesPage.nextCursor`) as far as it wants.
 */
export function caseTimelineRoutes(app: Http, deps: { db: Kysely<DB> }) {
  const { db } = deps;
  /** The case in the caller's workspace, or a 404 (as the case itself answers). */
  const caseIn = async (workspaceId: string, id: string) => {
    const c = await db
      .selectFrom('cases')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!c) throw notFound('case');
    return c.id;
  };

  app.get(
    '/api/v1/cases/:id/messages',
    {
      schema: {
        tags: ['cases'],
        summary: "A case's messages (cross-channel timeline), newest first, paged by cursor",
        params: IdParams,
        querystring: PageQuery,
        response: { 200: Listing(MessageDto), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      const id = await caseIn(ws, req.params.id);
      const { page, nextCursor } = await caseMessagesPage(db, ws, id, {
        limit: req.query.limit ?? PAGE_LIMIT_DEFAULT,
        cursor: req.query.cursor,
      });
      return { items: await messageDtos(db, id, page), nextCursor };
    },
  );

  app.get(
    '/api/v1/cases/:id/history',
    {
      schema: {
        tags: ['cases'],
        summary: "A case's history (status, assignment, SLA, …), newest first, paged by cursor",
        params: IdParams,
        querystring: PageQuery,
        response: { 200: Listing(HistoryEntry), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const id = await caseIn(req.actor.workspaceId, req.params.id);
      const { page, nextCursor } = await caseHistoryPage(db, id, {
        limit: req.query.limit ?? PAGE_LIMIT_DEFAULT,
        cursor: req.query.cursor,
      });
      return { items: page.map(toHistoryDto), nextCursor };
    },
  );
}
