import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { iso, toCaseSummary } from '../cases/case.dto.js';
import type { DB } from '../platform/db/schema.js';
import { notFound } from '../platform/errors.js';
import type { Http } from '../platform/http/server.js';

/** One customer with every identity and case, across channels. */
export async function getCustomer(db: Kysely<DB>, workspaceId: string, id: string) {
  const c = await db
    .selectFrom('customers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!c) return null;
  const [identities, cases] = await Promise.all([
    db
      .selectFrom('identities')
      .selectAll()
      .where('customer_id', '=', id)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('cases')
      .selectAll()
      .where('customer_id', '=', id)
      .orderBy('last_message_at', 'desc')
      .limit(200)
      .execute(),
  ]);
  return {
    id: c.id,
    displayName: c.display_name,
    location: c.location,
    reach: Number(c.reach),
    mergedInto: c.merged_into,
    createdAt: iso(c.created_at),
    identities: identities.map((i) => ({
      id: i.id,
      channel: i.channel,
      address: i.address,
      handle: i.handle,
      name: i.name,
      followers: i.followers,
      location: i.location,
      verified: i.verified === 1,
    })),
    cases: cases.map((r) => toCaseSummary({ ...r, customer_name: c.display_name })),
  };
}

export function customerRoutes(app: Http, deps: { db: Kysely<DB> }) {
  app.get(
    '/api/v1/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'A customer with identities and cases',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
      },
    },
    async (req) => {
      const c = await getCustomer(deps.db, req.actor.workspaceId, req.params.id);
      if (!c) throw notFound('customer');
      return c;
    },
  );
}
