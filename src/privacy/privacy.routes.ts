import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { audit, requestActor } from '../platform/audit/audit.js';
import type { DB } from '../platform/db/schema.js';
import type { Http } from '../platform/http/server.js';
import { eraseCustomer } from './erase.js';
import { exportCustomer } from './export.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Data-subject rights: export (art. 15) and erasure (art. 17) of one customer. */
export function privacyRoutes(
  app: Http,
  deps: {
    db: Kysely<DB>;
    clock: () => number;
    /** After an erasure: the triage model forgets what agents' corrections taught it of them. */
    onErased?: () => Promise<unknown>;
  },
) {
  const { db, clock } = deps;

  app.get(
    '/api/v1/customers/:id/export',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: {
        tags: ['privacy'],
        summary:
          'Everything held about a customer as one JSON document: identities, cases, messages, notes, CSAT, promises, problem links, deliveries',
        params: Id,
      },
    },
    async (req, reply) => {
      const doc = await exportCustomer(db, req.actor.workspaceId, req.params.id);
      // Who read a person's whole record is itself worth knowing.
      await audit(db, {
        workspaceId: req.actor.workspaceId,
        actor: requestActor(req.actor),
        action: 'customer.exported',
        target: req.params.id,
        at: clock(),
      });
      reply.header('content-disposition', `attachment; filename="customer-${req.params.id}.json"`);
      return doc;
    },
  );

  app.post(
    '/api/v1/customers/:id/erase',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['privacy'],
        summary:
          'Erase a customer’s personal data for good (texts, names, addresses, handles, locations, comments); ids, times and counts stay',
        params: Id,
        // A confirmation, so that an erasure cannot be sent by a stray empty POST.
        body: Type.Object({ confirm: Type.Literal(true) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const erased = await eraseCustomer(
        db,
        req.actor.workspaceId,
        req.params.id,
        requestActor(req.actor),
        clock(),
      );
      await deps.onErased?.();
      return erased;
    },
  );
}
