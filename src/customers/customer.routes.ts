import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { MessageDto } from '../cases/case.dto.js';
import type { DB } from '../platform/db/schema.js';
import { notFound } from '../platform/errors.js';
import { Created, ErrorBody, Json, Refusal, Refused } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { Nullable } from '../platform/nullable.js';
import {
  addIdentity,
  customerMerges,
  customerTimeline,
  getCustomer,
  TIMELINE_LIMIT_DEFAULT,
  updateCustomer,
} from './customer.service.js';
import { mergeCustomers, unmergeCustomers } from './merge.service.js';
import { decideSuggestion, suggestionsFor } from './suggestions.js';

export { getCustomer } from './customer.service.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Reason = Type.String({ minLength: 1, maxLength: 2000 });

/** A customer's timeline page (`customerTimeline`). */
const Timeline = Type.Object({
  customer: Type.Unknown({ description: 'the customer, as GET /api/v1/customers/{id} shows it' }),
  timeline: Type.Array(
    Type.Intersect([MessageDto, Type.Object({ caseId: Nullable(Type.String()) })]),
    { description: 'messages on every channel and case, newest first (sentAt, then id)' },
  ),
  nextCursor: Nullable(
    Type.String({ description: 'the cursor to the older messages; null on the last page' }),
  ),
  openPromises: Type.Array(
    Type.Object({
      id: Type.String(),
      caseId: Type.String(),
      kind: Type.String(),
      description: Type.String(),
      dueAt: Nullable(Type.String()),
      channel: Nullable(Type.String()),
    }),
  ),
  problemIds: Type.Array(Type.String(), {
    description:
      "the problems the customer's cases are linked to now, most recently linked first (an unlinked one is gone)",
  }),
});

export interface CustomerRouteDeps {
  db: Kysely<DB>;
  clock?: () => number;
}

/** Customers: identities across channels, timeline, suggestions, merge and unmerge. */
export function customerRoutes(app: Http, deps: CustomerRouteDeps) {
  const { db } = deps;
  const clock = deps.clock ?? Date.now;

  app.get(
    '/api/v1/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'A customer with identities and cases',
        params: Id,
      },
    },
    async (req) => {
      const c = await getCustomer(db, req.actor.workspaceId, req.params.id);
      if (!c) throw notFound('customer');
      return c;
    },
  );

  app.patch(
    '/api/v1/customers/:id',
    {
      schema: {
        response: { 200: Json(), 422: Refused('the customer was merged into another or erased') },
        tags: ['customers'],
        summary: 'Change the display name or attributes (used by routing rules)',
        params: Id,
        body: Type.Object(
          {
            displayName: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => {
      await updateCustomer(db, req.actor, req.params.id, req.body, clock());
      return getCustomer(db, req.actor.workspaceId, req.params.id);
    },
  );

  app.get(
    '/api/v1/customers/:id/timeline',
    {
      schema: {
        tags: ['customers'],
        summary:
          'Every message across channels and cases, newest first, paged by cursor; open promises and linked problems',
        params: Id,
        querystring: Type.Object({
          // 1–1000, default 200, as before the timeline was paged: clients asking for 1000 still may.
          limit: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 1000, default: TIMELINE_LIMIT_DEFAULT }),
          ),
          cursor: Type.Optional(
            Type.String({ maxLength: 64, description: "the previous page's nextCursor" }),
          ),
        }),
        response: { 200: Timeline, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) =>
      customerTimeline(db, req.actor.workspaceId, req.params.id, {
        limit: req.query.limit,
        cursor: req.query.cursor,
      }),
  );

  app.post(
    '/api/v1/customers/:id/identities',
    {
      schema: {
        response: {
          201: Created(),
          409: Refusal(
            'conflict: the identifier belongs to another customer; send it `verified` to merge them',
          ),
          422: Refused('the customer was merged into another or erased'),
        },
        tags: ['customers'],
        summary:
          'Add an identifier the customer gave; a verified one owned by another customer merges them',
        params: Id,
        body: Type.Object(
          {
            channel: Type.String({ minLength: 1, maxLength: 40 }),
            address: Type.String({ minLength: 1, maxLength: 320 }),
            // Optional: most identifiers a customer gives are not confirmed (no code answered).
            verified: Type.Optional(
              Type.Boolean({
                default: false,
                description: 'the customer confirmed it (answered a code); default false',
              }),
            ),
            name: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const body = { ...req.body, verified: req.body.verified ?? false };
      const r = await addIdentity(db, req.actor, req.params.id, body, clock());
      return reply
        .status(201)
        .send({ ...r, customer: await getCustomer(db, req.actor.workspaceId, req.params.id) });
    },
  );

  app.get(
    '/api/v1/customers/:id/suggestions',
    {
      schema: {
        tags: ['customers'],
        summary: 'Probable matches with their evidence (never merged without an agent)',
        params: Id,
      },
    },
    async (req) => ({
      items: await suggestionsFor(db, req.actor.workspaceId, req.params.id, clock()),
    }),
  );

  app.post(
    '/api/v1/match-suggestions/:id/:decision',
    {
      schema: {
        response: {
          200: Json(),
          422: Refused('the suggestion was already decided, or a customer was merged or erased'),
        },
        tags: ['customers'],
        summary: 'Accept (merge) or dismiss a suggested match',
        params: Type.Object({
          id: Type.String({ minLength: 1, maxLength: 64 }),
          decision: Type.Union([Type.Literal('accept'), Type.Literal('dismiss')]),
        }),
        body: Type.Object(
          { survivorId: Type.Optional(Type.String()), reason: Type.Optional(Reason) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) =>
      decideSuggestion(db, req.actor, req.params.id, req.params.decision, clock(), req.body ?? {}),
  );

  app.post(
    '/api/v1/customers/:id/merge',
    {
      schema: {
        response: {
          201: Created(),
          422: Refused('one of the customers is already merged into another, or erased'),
        },
        tags: ['customers'],
        summary: 'Merge another customer into this one (reversible; who and why are recorded)',
        params: Id,
        body: Type.Object(
          { customerId: Type.String({ minLength: 1, maxLength: 64 }), reason: Reason },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const mergeId = await mergeCustomers(
        db,
        req.actor,
        req.params.id,
        req.body.customerId,
        req.body.reason,
        clock(),
      );
      return reply.status(201).send({ mergeId });
    },
  );

  app.get(
    '/api/v1/customers/:id/merges',
    {
      schema: { tags: ['customers'], summary: 'Merges this customer took part in', params: Id },
    },
    async (req) => ({ items: await customerMerges(db, req.actor.workspaceId, req.params.id) }),
  );

  app.post(
    '/api/v1/customer-merges/:id/unmerge',
    {
      schema: {
        response: {
          200: Json(),
          409: Refusal('conflict: a later merge involves these customers; undo it first'),
          422: Refused('the merge was already undone'),
        },
        tags: ['customers'],
        summary: 'Undo a merge exactly (identities, cases, messages, promises go back)',
        params: Id,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
      },
    },
    async (req) => unmergeCustomers(db, req.actor, req.params.id, req.body.reason, clock()),
  );
}
