/**
 * Triage over HTTP: agents' corrections (stored, then learned by the installation's model), the
 * model's version history, an assisted classification and suggested replies for a case.
 */
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import { CHANNEL_KINDS } from '../ingest/inbound.schema.js';
import type { DB } from '../platform/db/schema.js';
import { AppError, badRequest, notFound } from '../platform/errors.js';
import { IdParams, Refused } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { ERASED } from '../privacy/scrub.js';
import { assistClassify, withLabels } from './assist.js';
import {
  correctionsForTraining,
  insertCorrection,
  listCorrections,
  listModelVersions,
  type StoredCorrection,
} from './corrections.queries.js';
import { EmbeddedTopics } from './embed-topic.js';
import { onTheWire } from './index.js';
import type { InstallationTriage } from './installation.js';
import { LlmClient } from './llm.js';
import { suggestReply } from './suggest.js';
import { TOPICS, type Topic, type TriageResult } from './types.js';

const TopicT = Type.Unsafe<Topic>({ type: 'string', enum: [...TOPICS] });
const iso = (ms: number) => new Date(ms).toISOString();

const CorrectionDto = Type.Object({
  id: Type.String(),
  messageId: Type.String(),
  topic: Type.Union([TopicT, Type.Null()]),
  complaint: Type.Union([Type.Boolean(), Type.Null()]),
  previous: Type.Object({
    topic: Type.Union([Type.String(), Type.Null()]),
    complaint: Type.Union([Type.Boolean(), Type.Null()]),
    model: Type.Union([Type.String(), Type.Null()]),
  }),
  userId: Type.Union([Type.String(), Type.Null()]),
  tokenId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
const ModelVersionDto = Type.Object({
  version: Type.String(),
  baseVersion: Type.String(),
  corrections: Type.Integer(),
  createdAt: Type.String(),
});

const toDto = (c: StoredCorrection) => ({ ...c, createdAt: iso(c.createdAt) });

export interface TriageRouteDeps {
  db: Kysely<DB>;
  config: Config;
  triage: InstallationTriage;
  clock: () => number;
  /** Test seam; by default built from config.llm. */
  llm?: LlmClient | null;
  /** Test seam; by default built when config.llm names an embedding model. */
  embeddedTopics?: EmbeddedTopics | null;
}

/** Agents' topic corrections read for embeddings: the newest, as the installation's model reads them. */
const EMBEDDED_CORRECTIONS = 500;

export function triageRoutes(app: Http, deps: TriageRouteDeps) {
  const { db, triage, clock } = deps;
  const llm =
    deps.llm !== undefined
      ? deps.llm
      : deps.config.llm
        ? new LlmClient({
            baseUrl: deps.config.llm.url,
            apiKey: deps.config.llm.apiKey || undefined,
            chatModel: deps.config.llm.model,
            embeddingModel: deps.config.llm.embeddingModel,
            timeoutMs: deps.config.llm.timeoutMs,
            // Triage falls back on its own; the log says why, for the admin who set it up.
            onFailure: (failure) =>
              app.log.warn({ llm: failure }, 'LLM provider call failed; offline triage answered'),
          })
        : null;
  const embeddedTopics =
    deps.embeddedTopics !== undefined
      ? deps.embeddedTopics
      : llm && deps.config.llm?.embeddingModel
        ? new EmbeddedTopics(llm)
        : null;

  app.post(
    '/api/v1/messages/:id/triage',
    {
      schema: {
        tags: ['triage'],
        summary:
          "Correct a customer message's topic and/or complaint flag (the model learns from it)",
        params: IdParams,
        body: Type.Object(
          { topic: Type.Optional(TopicT), complaint: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ correction: CorrectionDto, model: ModelVersionDto }),
          422: Refused('the message was erased (its customer asked to be forgotten)'),
        },
      },
    },
    async (req, reply) => {
      const { topic } = req.body;
      if (topic === undefined && req.body.complaint === undefined) {
        throw badRequest('give topic, complaint or both');
      }
      // Triage never calls a complaint praise; an agent's correction keeps to the same rule.
      if (topic === 'praise' && req.body.complaint === true)
        throw badRequest('a complaint is never praise: give the topic of the trouble');
      // Praise alone says the message is no complaint: stored, applied and learned so. (Taken as
      // a topic only, a complaint kept its flag and the rule below put its old topic back, while
      // the correction was stored and counted as made.)
      const complaint = topic === 'praise' ? false : req.body.complaint;
      const ws = req.actor.workspaceId;
      const msg = await db
        .selectFrom('messages')
        .select(['id', 'direction', 'triage_json', 'deleted_at', 'text'])
        .where('workspace_id', '=', ws)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!msg || msg.deleted_at !== null) throw notFound('message');
      // Its customer was erased: the text is the placeholder, and the model would learn that.
      if (msg.text === ERASED)
        throw new AppError(
          'invalid_transition',
          'the message was erased: there is no text to learn from',
        );
      if (msg.direction !== 'in') throw badRequest('only customer (inbound) messages are triaged');
      const before = msg.triage_json ? (JSON.parse(msg.triage_json) as TriageResult) : null;
      const stored = await db.transaction().execute(async (trx) => {
        const c = await insertCorrection(trx, ws, {
          messageId: msg.id,
          topic: (topic as Topic | undefined) ?? null,
          complaint: complaint ?? null,
          previous: {
            topic: before?.topic ?? null,
            complaint: before?.complaint ?? null,
            model: triage.model.version,
          },
          userId: req.actor.type === 'user' ? req.actor.id : null,
          tokenId: req.actor.type === 'token' ? req.actor.id : null,
          createdAt: clock(),
        });
        // The agent's word is now this message's triage (case view, problem detection), kept to
        // the rules an LLM's answer keeps to (`withLabels`): a complaint on praise takes the
        // likeliest other topic, and the scores agree with the labels.
        if (before) {
          const after = withLabels(before, {
            ...(topic ? { topic: topic as Topic } : {}),
            ...(complaint !== undefined ? { complaint } : {}),
          });
          await trx
            .updateTable('messages')
            .set({ triage_json: JSON.stringify(after) })
            .where('id', '=', msg.id)
            .execute();
        }
        return c;
      });
      const version = await triage.rebuild();
      reply.code(201);
      return {
        correction: toDto(stored),
        model: { ...version, createdAt: iso(version.createdAt) },
      };
    },
  );

  app.get(
    '/api/v1/triage/corrections',
    {
      schema: {
        tags: ['triage'],
        summary: "Agents' triage corrections, newest first",
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          before: Type.Optional(Type.String({ maxLength: 64 })),
          message: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(CorrectionDto),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const rows = await listCorrections(db, req.actor.workspaceId, {
        limit,
        before: req.query.before,
        messageId: req.query.message,
      });
      return {
        items: rows.map(toDto),
        nextCursor: rows.length === limit ? rows[rows.length - 1].id : null,
      };
    },
  );

  app.get(
    '/api/v1/triage/model',
    {
      schema: {
        tags: ['triage'],
        summary: "The installation's triage model: shipped version, corrections learned, history",
        response: {
          200: Type.Object({
            version: Type.String(),
            baseVersion: Type.String(),
            corrections: Type.Integer(),
            complaintThreshold: Type.Number(),
            llm: Type.Boolean(),
            history: Type.Array(ModelVersionDto),
          }),
        },
      },
    },
    async (req) => {
      await triage.refresh();
      const history = await listModelVersions(db, req.actor.workspaceId, 20);
      const current = triage.currentVersion;
      return {
        version: triage.model.version,
        baseVersion: triage.baseVersion,
        corrections: current?.corrections ?? 0,
        complaintThreshold: triage.model.complaintThreshold,
        llm: llm !== null,
        history: history.map((h) => ({ ...h, createdAt: iso(h.createdAt) })),
      };
    },
  );

  app.post(
    '/api/v1/triage/classify',
    {
      schema: {
        tags: ['triage'],
        summary: 'Classify a text with the installation model, assisted by the LLM when unsure',
        body: Type.Object({
          text: Type.String({ maxLength: 20_000 }),
          // One of the channels a message arrives on: a misspelt one ("twitter") would silently
          // lose the channel's cues (an X profile location, SMS brevity) instead of saying so.
          channel: Type.Optional(Type.Union(CHANNEL_KINDS.map((c) => Type.Literal(c)))),
          authorLocation: Type.Optional(Type.String({ maxLength: 200 })),
        }),
      },
    },
    async (req) => {
      const offline = triage.classify(req.body);
      const ws = req.actor.workspaceId;
      const embedding = embeddedTopics && {
        topics: embeddedTopics,
        corrections: async () =>
          (await correctionsForTraining(db, ws, EMBEDDED_CORRECTIONS)).corrections.flatMap((c) =>
            c.topic ? [{ text: c.text, topic: c.topic }] : [],
          ),
      };
      return onTheWire(
        await assistClassify(
          offline,
          req.body.text,
          triage.model.complaintThreshold,
          llm,
          embedding,
        ),
      );
    },
  );

  app.post(
    '/api/v1/cases/:id/suggest-reply',
    {
      schema: {
        tags: ['triage'],
        summary: 'A draft reply for the agent (LLM when configured, else a written template)',
        params: IdParams,
        // `{}`: a write takes its JSON body, as every other does (a stray empty POST is a 400).
        body: Type.Object({}, { additionalProperties: false }),
        response: {
          200: Type.Object({
            reply: Type.String(),
            source: Type.Union([Type.Literal('llm'), Type.Literal('template')]),
            topic: TopicT,
            note: Type.Optional(Type.String()),
          }),
        },
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      const kase = await db
        .selectFrom('cases')
        .select('id')
        .where('workspace_id', '=', ws)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!kase) throw notFound('case');
      const rows = await db
        .selectFrom('messages')
        .select(['direction', 'text', 'triage_json'])
        .where('workspace_id', '=', ws)
        .where('case_id', '=', kase.id)
        .where('deleted_at', 'is', null)
        .orderBy('sent_at', 'desc')
        .orderBy('id', 'desc')
        .limit(20)
        .execute();
      rows.reverse();
      const lastIn = [...rows].reverse().find((r) => r.direction === 'in');
      const topic: Topic =
        (lastIn?.triage_json ? (JSON.parse(lastIn.triage_json) as TriageResult).topic : null) ??
        (lastIn ? triage.classify({ text: lastIn.text }).topic : 'other');
      const s = await suggestReply(rows, topic, llm);
      return { ...s, topic };
    },
  );
}
