import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { Http } from '../platform/http/server.js';
import { knownChannels } from './inbound.channels.js';
import { appendInbound } from './inbound.log.js';
import { inboundNulProblem } from './inbound.nul.js';
import {
  emptyMessageProblem,
  type InboundMessage,
  InboundMessageSchema,
} from './inbound.schema.js';
import { notFromTheFuture, sentAtProblem } from './inbound.time.js';

export const MAX_BATCH = 1000;

const InboundBody = Type.Union([
  InboundMessageSchema,
  Type.Object(
    { messages: Type.Array(InboundMessageSchema, { minItems: 1, maxItems: MAX_BATCH }) },
    { additionalProperties: false },
  ),
]);

const MessagesOnly = Type.Object({ messages: Type.Array(Type.Unknown()) });

/**
 * Checks one message or a batch with TypeBox and reports the first few problems with their JSON
 * paths (`/messages/3/sentAt`), which says far more than "must match a schema in anyOf".
 */
function validateInbound(data: unknown, now: number): { value: unknown } | { error: Error } {
  const problems: string[] = [];
  if (Value.Check(InboundBody, data)) {
    // Customer text with a NUL is kept (appendInbound makes it U+FFFD); an identifier is refused.
    // A time from an unset clock (1970) or far ahead (9999) is the sender's bug: refused, named;
    // so is a message with neither text nor attachment.
    const batch = 'messages' in data;
    const msgs = batch ? data.messages : [data];
    msgs.forEach((m, i) => {
      const time = sentAtProblem(m.sentAt, now);
      for (const p of [inboundNulProblem(m), emptyMessageProblem(m), time && `/sentAt ${time}`]) {
        if (p && problems.length < 10) problems.push(batch ? `/messages/${i}${p}` : p);
      }
    });
    if (problems.length === 0) return { value: data };
    return { error: invalid(problems) };
  }
  const isBatch = Value.Check(MessagesOnly, data);
  if (isBatch) {
    const msgs = (data as { messages: unknown[] }).messages;
    if (msgs.length === 0) problems.push('/messages must hold at least one message');
    if (msgs.length > MAX_BATCH) problems.push(`/messages holds at most ${MAX_BATCH} messages`);
    msgs.slice(0, MAX_BATCH).forEach((m, i) => {
      for (const e of Value.Errors(InboundMessageSchema, m)) {
        if (problems.length < 10) problems.push(`/messages/${i}${e.path} ${e.message}`);
      }
    });
  } else {
    for (const e of Value.Errors(InboundMessageSchema, data)) {
      if (problems.length < 10) problems.push(`${e.path || '/'} ${e.message}`);
    }
  }
  return { error: invalid(problems) };
}

function invalid(problems: string[]): Error {
  const err = new Error(problems.join('; ') || 'body must be a message or {"messages": [...]}');
  (err as Error & { validation: string[] }).validation = problems;
  return err;
}

export interface InboundRouteDeps {
  db: Kysely<DB>;
  clock: () => number;
  /** Wakes the pipeline after events were logged. */
  onAppended: () => void;
}

export function inboundRoutes(app: Http, deps: InboundRouteDeps) {
  app.post(
    '/api/v1/inbound',
    {
      bodyLimit: 10 * 1024 * 1024,
      // Customer content: NUL in text is kept as U+FFFD, in an identifier refused (validateInbound).
      // Only admins and integrations' tokens: an agent or supervisor could otherwise write any
      // customer's message into any case (and answer, or close, their own complaint).
      config: { nulInBody: 'route', roles: ['admin', 'integration'] },
      schema: {
        tags: ['ingest'],
        summary: 'Submit one normalised message, or {"messages": [...]} (at most 1,000)',
        description:
          'Answers 202 only after the messages are durably written to the inbound log. Re-delivering the same (channel, externalId) is acknowledged and stored once. A `sentAt` before 2000-01-01T00:00:00Z or more than 24 hours ahead of the server clock is a 400; one more than 5 minutes ahead is taken as the arrival time. A message whose text is empty (or spaces only) and that has no attachment is a 400.',
        body: InboundBody,
        response: {
          202: Type.Object({
            accepted: Type.Integer(),
            duplicates: Type.Integer(),
            results: Type.Array(
              Type.Object({
                channel: Type.String(),
                externalId: Type.String(),
                status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate')]),
              }),
            ),
          }),
        },
      },
      validatorCompiler: () => (data) => validateInbound(data, deps.clock()),
    },
    async (req, reply) => {
      const body = req.body as Record<string, unknown>;
      const messages = 'messages' in body ? (body.messages as InboundMessage[]) : [body as never];
      await knownChannels(deps.db, req.actor.workspaceId, messages);
      const now = deps.clock();
      const result = await appendInbound(
        deps.db,
        req.actor.workspaceId,
        notFromTheFuture(messages, now),
        now,
      );
      if (result.accepted > 0) deps.onAppended();
      return reply.status(202).send(result);
    },
  );
}
