import { Type } from '@sinclair/typebox';
import type { Sender } from '../channels/sender.js';
import { CHANNEL_KINDS } from '../ingest/inbound.schema.js';
import type { Database } from '../platform/db/database.js';
import type { CaseStatus } from '../platform/db/schema.js';
import { listFilter } from '../platform/http/list-filter.js';
import {
  Created,
  ErrorBody,
  IdParams,
  Refused,
  ReplyRefused,
  VersionConflict,
} from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { Nullable } from '../platform/nullable.js';
import type { LiveBus } from '../platform/realtime/bus.js';
import type { AssignRequest } from '../routing/assign.trigger.js';
import { CaseSummary, MessageDto, toCaseSummary } from './case.dto.js';
import { CaseProblems, problemsOfCases } from './case.problems.js';
import { assigneeBefore, listCases } from './case.queries.js';
import { replyToCase, sendersCheck } from './case.reply.js';
import { addNote, updateCase } from './case.service.js';
import { CASE_VIEW_LIMIT, caseView } from './case.timeline.js';
import { caseTimelineRoutes } from './case.timeline.routes.js';

const CASE_STATUSES: readonly CaseStatus[] = ['new', 'open', 'pending', 'resolved', 'closed'];

const Status = Type.Union(
  ['new', 'open', 'pending', 'resolved', 'closed'].map((s) => Type.Literal(s)),
);
const PriorityT = Type.Union(['low', 'normal', 'high', 'urgent'].map((s) => Type.Literal(s)));
/** Whether a case view's list stops short of the case's first; the cursor goes on from there. */
const More = (of: string) =>
  Type.Object(
    {
      hasMore: Type.Boolean(),
      nextCursor: Type.Union([Type.String(), Type.Null()]),
    },
    {
      description: `older ${of} than those shown: GET /api/v1/cases/{id}/${of}?cursor=<nextCursor> lists them, newest first`,
    },
  );

/** A case as GET /api/v1/cases/:id shows it: its latest messages and history, oldest first. */
const CaseView = Type.Intersect([
  CaseSummary,
  Type.Object({
    problems: CaseProblems,
    messages: Type.Array(MessageDto, {
      description: `the latest ${CASE_VIEW_LIMIT} messages, oldest first`,
    }),
    messagesPage: More('messages'),
    history: Type.Array(Type.Unknown(), {
      description: `the latest ${CASE_VIEW_LIMIT} history entries, oldest first`,
    }),
    historyPage: More('history'),
    notes: Type.Array(Type.Unknown()),
  }),
]);

/** A case in the inbox: the summary and the problems holding it (read for the page at once). */
const CaseListItem = Type.Intersect([CaseSummary, Type.Object({ problems: CaseProblems })]);

export interface CaseRouteDeps {
  database: Database;
  bus: LiveBus;
  clock: () => number;
  /** Wakes the outbox worker after a reply was queued. */
  onOutbox: () => void;
  /** Base of links sent to customers (CSAT survey pages). */
  publicUrl: string;
  /** Senders by channel kind: their `check` refuses a reply the channel cannot carry, at once. */
  senders?: ReadonlyMap<string, Sender>;
  /** Asks for automatic assignment after a change that frees an agent's room or queues a case. */
  onAssignable?: AssignRequest;
}

export function caseRoutes(app: Http, deps: CaseRouteDeps) {
  const { db, caps } = deps.database;
  const publish = (workspaceId: string, caseId: string, change: string) =>
    deps.bus.publish({ type: 'case.updated', workspaceId, data: { caseId, change } });

  app.get(
    '/api/v1/cases',
    {
      // A search may be pasted text: its NUL characters are dropped (case.search.ts), not refused.
      config: { nulInQuery: ['q'] },
      schema: {
        tags: ['cases'],
        summary:
          'List cases, newest recorded first (each case once per walk), or most recently active first with sort=activity',
        querystring: Type.Object({
          status: Type.Optional(Type.String({ description: 'comma-separated statuses' })),
          queue: Type.Optional(Type.String()),
          channel: Type.Optional(Type.String({ description: 'comma-separated channel kinds' })),
          assignee: Type.Optional(Type.String({ description: 'user id, or "none"' })),
          customer: Type.Optional(Type.String()),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          sort: Type.Optional(
            Type.Union([Type.Literal('created'), Type.Literal('activity')], {
              description:
                'created (default): newest recorded first, by createdAt then id, keys no change moves, so a walk through the pages returns each case once; activity: most recently active first (lastMessageAt), a case that gets a message during a walk may come twice. A cursor keeps the order its walk began with',
            }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(CaseListItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const qs = req.query;
      const status = listFilter('status', qs.status, CASE_STATUSES);
      const channel = listFilter('channel', qs.channel, CHANNEL_KINDS);
      const { rows, nextCursor } = await listCases(db, caps, req.actor.workspaceId, {
        ...qs,
        status,
        channel,
        limit: qs.limit ?? 50,
      });
      // One query for the page's links, not one per case (the inbox is benchmarked at 1M cases).
      const problems = await problemsOfCases(
        db,
        req.actor.workspaceId,
        rows.map((r) => r.id),
      );
      const items = rows.map((r) => ({ ...toCaseSummary(r), problems: problems.get(r.id) ?? [] }));
      return { items, nextCursor };
    },
  );

  app.get(
    '/api/v1/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: `One case with its latest ${CASE_VIEW_LIMIT} messages (cross-channel timeline) and history entries, and its notes`,
        params: IdParams,
        response: { 200: CaseView, 404: ErrorBody },
      },
    },
    async (req) => caseView(db, req.actor.workspaceId, req.params.id),
  );

  app.post(
    '/api/v1/cases/:id/replies',
    {
      schema: {
        tags: ['cases'],
        summary: 'Reply to the customer on the case channel (queued in the outbox)',
        params: IdParams,
        body: Type.Object(
          {
            text: Type.String({ minLength: 1, maxLength: 20_000 }),
            visibility: Type.Optional(
              Type.Union([Type.Literal('public'), Type.Literal('private')]),
            ),
            expectedVersion: Type.Optional(
              Type.Integer({ description: 'refuse if the case changed since' }),
            ),
            seenMessageId: Type.Optional(
              Type.String({ description: 'newest message seen; a refusal lists those after it' }),
            ),
            channel: Type.Optional(Type.String({ description: 'reply on another channel' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: MessageDto,
          404: ErrorBody,
          409: VersionConflict,
          422: ReplyRefused,
        },
      },
    },
    async (req, reply) => {
      const now = deps.clock();
      const check = sendersCheck(deps.senders, now);
      const msg = await replyToCase(db, req.actor, req.params.id, req.body, now, check);
      deps.onOutbox();
      publish(req.actor.workspaceId, req.params.id, 'replied');
      return reply.status(201).send(msg);
    },
  );

  app.patch(
    '/api/v1/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'Change status, assignee or priority',
        params: IdParams,
        body: Type.Object(
          {
            status: Type.Optional(Status),
            statusReason: Type.Optional(
              Type.Union([Type.Literal('customer'), Type.Literal('internal'), Type.Null()]),
            ),
            assigneeId: Type.Optional(Nullable(Type.String())),
            priority: Type.Optional(PriorityT),
            reason: Type.Optional(
              Type.String({ maxLength: 2000, description: 'why, for the history' }),
            ),
            expectedVersion: Type.Optional(Type.Integer()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          200: CaseView,
          404: ErrorBody,
          409: VersionConflict,
          422: Refused('a status change the lifecycle does not allow'),
        },
      },
    },
    async (req) => {
      // Whose room a status or assignee change frees (read before: the change moves it).
      const before = await assigneeBefore(db, req.actor.workspaceId, req.params.id);
      const updated = await updateCase(
        db,
        req.actor,
        req.params.id,
        req.body as never,
        deps.clock(),
        { publicUrl: deps.publicUrl },
      );
      publish(req.actor.workspaceId, req.params.id, 'updated');
      // After commit: resolved, closed, pending, unassigned or moved frees room (only new and
      // open cases count against capacity); reopened unassigned, it waits for an agent again.
      if (req.body.status !== undefined || req.body.assigneeId !== undefined)
        deps.onAssignable?.({ queueIds: [updated.queue_id], userIds: [before] });
      // The case as GET shows it (customer name, timeline, history), not the bare row.
      return caseView(db, req.actor.workspaceId, updated.id);
    },
  );

  app.post(
    '/api/v1/cases/:id/notes',
    {
      schema: {
        tags: ['cases'],
        summary: 'Add an internal note (never sent to the customer); @mentions users and teams',
        params: IdParams,
        body: Type.Object(
          { body: Type.String({ minLength: 1, maxLength: 20_000 }) },
          { additionalProperties: false },
        ),
        response: { 201: Created() },
      },
    },
    async (req, reply) => {
      const note = await addNote(db, req.actor, req.params.id, req.body.body, deps.clock());
      publish(req.actor.workspaceId, req.params.id, 'note');
      return reply.status(201).send(note);
    },
  );

  caseTimelineRoutes(app, { db });
}
