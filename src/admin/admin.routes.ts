import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { listParked, pipelineStatus, retryParked } from '../ingest/parked.js';
import { BIGINT_MAX } from '../platform/db/int-range.js';
import type { DB } from '../platform/db/schema.js';
import type { Http } from '../platform/http/server.js';

export function adminRoutes(
  app: Http,
  deps: { db: Kysely<DB>; clock: () => number; onRetry: () => void },
) {
  app.get(
    '/api/v1/admin/parked',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: 'Inbound events the pipeline parked after repeated failures, with their error',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
      },
    },
    async (req) => ({
      items: await listParked(deps.db, req.actor.workspaceId, req.query.limit ?? 100),
      nextCursor: null,
    }),
  );

  app.post(
    '/api/v1/admin/parked/retry',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: 'Queue parked events again (all, or the listed sequence numbers)',
        // Strict: a misspelt `seqs` would otherwise retry every parked event.
        body: Type.Object(
          {
            seqs: Type.Optional(
              Type.Array(Type.Integer({ minimum: 1, maximum: BIGINT_MAX }), { maxItems: 10_000 }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const n = await retryParked(deps.db, req.actor.workspaceId, deps.clock(), req.body.seqs);
      if (n > 0) deps.onRetry();
      return { retried: n };
    },
  );

  app.get(
    '/api/v1/admin/pipeline',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: {
        tags: ['admin'],
        summary:
          'Inbound log status: pending, done and parked counts, age of the oldest pending event',
      },
    },
    async (req) => pipelineStatus(deps.db, req.actor.workspaceId, deps.clock()),
  );
}
