import type { Kysely } from 'kysely';
import { iso, toCaseSummary, toMessageDto } from '../cases/case.dto.js';
import { problemIdsOfCustomer } from '../cases/case.problems.js';
import { CHANNEL_KINDS } from '../ingest/inbound.schema.js';
import type { DB } from '../platform/db/schema.js';
import { AppError, badRequest, notFound } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { idCursor, idPage } from '../platform/http/id-page.js';
import { newId } from '../platform/ids.js';
import { erasedRefusal, refuseErased } from './erased.js';
import { linkKeyFor } from './identity.keys.js';
import { audit, mergeInTrx } from './merge.service.js';

const identityDto = (i: {
  id: string;
  channel: string;
  address: string;
  handle: string | null;
  name: string | null;
  followers: number | null;
  location: string | null;
  verified: number;
  link_key?: string | null;
}) => ({
  id: i.id,
  channel: i.channel,
  address: i.address,
  handle: i.handle,
  name: i.name,
  followers: i.followers === null ? null : Number(i.followers),
  location: i.location,
  verified: i.verified === 1,
  linkKey: i.link_key ?? null,
});

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
      .orderBy('id')
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
    attributes: JSON.parse(c.attributes_json ?? '{}') as Record<string, unknown>,
    mergedInto: c.merged_into,
    createdAt: iso(c.created_at),
    identities: identities.map(identityDto),
    cases: cases.map((r) => toCaseSummary({ ...r, customer_name: c.display_name })),
  };
}

/** `GET /api/v1/customers/:id/timeline`'s page size: as before paging came, 200 by default. */
export const TIMELINE_LIMIT_DEFAULT = 200;

/**
 * The customer's whole story, newest first: their messages on every channel and case, a page at
 * a time, with the open promises made to them and the problems their cases are linked to now.
 *
 * Keyset-paged on (`sent_at`, id) like a case's messages (case.timeline.ts): the timeline is in
 * event time, which imported history does not share with id order, and two messages of one
 * moment are told apart by id. The cursor is the previous page's last message id (its time is
 * read back, in the workspace, so a walk goes on past a message an unmerge moved to another
 * customer meanwhile); empty is the first page, a malformed or unknown one a 400.
 */
export async function customerTimeline(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  page: { limit?: number; cursor?: string } = {},
) {
  const limit = page.limit ?? TIMELINE_LIMIT_DEFAULT;
  const customer = await getCustomer(db, workspaceId, id);
  if (!customer) throw notFound('customer');
  const after = idCursor(page.cursor);
  const from =
    after === undefined
      ? undefined
      : await db
          .selectFrom('messages')
          .select(['id', 'sent_at'])
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', after)
          .executeTakeFirst();
  if (after !== undefined && !from) throw badRequest('cursor is not valid');
  const [messages, promises, problemIds] = await Promise.all([
    db
      .selectFrom('messages')
      .selectAll()
      .where('customer_id', '=', id)
      .$if(from !== undefined, (q) =>
        q.where((eb) =>
          eb.or([
            eb('sent_at', '<', from!.sent_at),
            eb.and([eb('sent_at', '=', from!.sent_at), eb('id', '<', from!.id)]),
          ]),
        ),
      )
      .orderBy('sent_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute(),
    db
      .selectFrom('promises')
      .selectAll()
      .where('customer_id', '=', id)
      .where('status', '=', 'open')
      .orderBy('due_at')
      .execute(),
    problemIdsOfCustomer(db, workspaceId, id),
  ]);
  const { page: shown, nextCursor } = idPage(messages, limit);
  return {
    customer,
    timeline: shown.map((m) => ({ ...toMessageDto(m), caseId: m.case_id })),
    nextCursor,
    openPromises: promises.map((p) => ({
      id: p.id,
      caseId: p.case_id,
      kind: p.kind,
      description: p.description,
      dueAt: iso(p.due_at),
      channel: p.channel,
    })),
    problemIds,
  };
}

export interface AddIdentityInput {
  channel: string;
  address: string;
  /** True when the customer confirmed it (e.g. answered a code, or an agent verified it). */
  verified: boolean;
  name?: string;
}

/**
 * Adds an identifier the customer gave (a phone number or email in a private message). When it
 * is verified and another customer already owns the same verified identifier, the two are the
 * same person: they are merged (recorded, reversible). An unverified identifier owned by someone
 * else is refused (it would let anyone claim another customer's history).
 */
const IDENTITY_CHANNELS: ReadonlySet<string> = new Set([...CHANNEL_KINDS, 'account']);
/** Channels whose identities are numeric ids the provider gives (never handles or names). */
const NUMERIC_ID_CHANNELS: ReadonlySet<string> = new Set(['x', 'facebook', 'instagram']);

export async function addIdentity(
  db: Kysely<DB>,
  actor: Actor,
  customerId: string,
  input: AddIdentityInput,
  now: number,
) {
  return db.transaction().execute((trx) => addIdentityInTrx(trx, actor, customerId, input, now));
}

/** `addIdentity` inside the caller's transaction (a handoff adds the address with its move). */
export async function addIdentityInTrx(
  trx: Kysely<DB>,
  actor: Actor,
  customerId: string,
  input: AddIdentityInput,
  now: number,
) {
  // Identities are addresses on our channels, plus account numbers customers give.
  if (!IDENTITY_CHANNELS.has(input.channel)) {
    throw new AppError('bad_request', `unknown channel "${input.channel}"`);
  }
  {
    const c = await trx
      .selectFrom('customers')
      .select(['id', 'merged_into', 'erased_at'])
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', customerId)
      .executeTakeFirst();
    if (!c) throw notFound('customer');
    if (c.merged_into)
      throw new AppError('invalid_transition', 'this customer was merged into another');
    refuseErased(c);
    const linkKey = linkKeyFor(input.channel, input.address, input.verified);
    const address =
      linkKey && (linkKey.startsWith('phone:') || linkKey.startsWith('email:'))
        ? linkKey.slice(linkKey.indexOf(':') + 1)
        : input.address.trim();
    if (['sms', 'voice', 'whatsapp'].includes(input.channel) && !linkKey) {
      throw new AppError('bad_request', `"${input.address}" is not a valid phone number`);
    }
    // An address nothing can be sent to would be picked for replies on that channel.
    if (input.channel === 'email' && !linkKey) {
      throw new AppError('bad_request', `"${input.address}" is not a valid email address`);
    }
    // Their adapters name people by numeric id (an X user id, a Page-scoped or Instagram id):
    // a handle ("@someone") would never meet a message of theirs, nor take a reply.
    if (NUMERIC_ID_CHANNELS.has(input.channel) && !/^\d{1,25}$/.test(address)) {
      throw new AppError(
        'bad_request',
        `"${input.address}" is not a ${input.channel} user id (digits only; a handle or name is not an id)`,
      );
    }
    const existing = await trx
      .selectFrom('identities')
      .selectAll()
      .where('workspace_id', '=', actor.workspaceId)
      .where('channel', '=', input.channel)
      .where('address', '=', address)
      .executeTakeFirst();
    let mergeId: string | null = null;
    const identityId = existing?.id ?? newId();
    if (existing && existing.customer_id !== customerId) {
      if (!input.verified) {
        throw new AppError(
          'conflict',
          'this identifier belongs to another customer; verify it to link',
          {
            customerId: existing.customer_id,
          },
        );
      }
      mergeId = await mergeInTrx(
        trx,
        actor.workspaceId,
        actor,
        customerId,
        existing.customer_id,
        `verified identifier ${input.channel}:${address}`,
        now,
      );
    }
    if (existing && input.verified && !existing.verified) {
      // The agent confirmed it (the customer answered a code): that holds after a merge too,
      // and makes it a key other channels link by.
      await trx
        .updateTable('identities')
        .set({ verified: 1, link_key: linkKey ?? existing.link_key })
        .where('id', '=', existing.id)
        .execute();
    }
    if (!existing) {
      // The same verified key on another channel (SMS number given, WhatsApp identity known).
      if (linkKey && input.verified) {
        const owner = await trx
          .selectFrom('identities')
          .select('customer_id')
          .where('workspace_id', '=', actor.workspaceId)
          .where('link_key', '=', linkKey)
          .where('customer_id', '!=', customerId)
          .executeTakeFirst();
        if (owner) {
          mergeId = await mergeInTrx(
            trx,
            actor.workspaceId,
            actor,
            customerId,
            owner.customer_id,
            `verified identifier ${linkKey}`,
            now,
          );
        }
      }
      await trx
        .insertInto('identities')
        .values({
          id: identityId,
          workspace_id: actor.workspaceId,
          customer_id: customerId,
          channel: input.channel,
          address,
          handle: null,
          name: input.name ?? null,
          followers: null,
          location: null,
          verified: input.verified ? 1 : 0,
          created_at: now,
          link_key: input.verified || linkKey?.startsWith('phone:') ? linkKey : null,
        })
        .execute();
    }
    await audit(
      trx,
      actor.workspaceId,
      actor,
      'customer.identity_added',
      customerId,
      // The identity's id and channel, never the address: the log is kept after an erasure.
      { identityId, channel: input.channel, verified: input.verified, mergeId },
      now,
    );
    return { mergeId };
  }
}

/**
 * Attributes are a few facts routing rules match (`{"tier":"business"}`), read with the customer on
 * every routed batch: not a document store.
 */
export const MAX_ATTRIBUTES_BYTES = 16_384;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

export async function updateCustomer(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  input: { displayName?: string | null; attributes?: Record<string, unknown> },
  now: number,
) {
  // A blank name would show as "" wherever the customer is named; null clears it on purpose.
  if (typeof input.displayName === 'string' && input.displayName.trim() === '')
    throw new AppError('bad_request', 'displayName cannot be blank; send null to clear it');
  // A name is one line: a line break in it would split an email header or a CSV row it goes to.
  if (typeof input.displayName === 'string' && CONTROL.test(input.displayName))
    throw new AppError(
      'bad_request',
      'displayName cannot hold control characters (line breaks, tabs)',
    );
  if (input.attributes !== undefined) {
    const size = Buffer.byteLength(JSON.stringify(input.attributes));
    if (size > MAX_ATTRIBUTES_BYTES)
      throw new AppError(
        'bad_request',
        `attributes may hold at most ${MAX_ATTRIBUTES_BYTES} bytes of JSON (16 KB); these are ${size}`,
      );
  }
  const current = await db
    .selectFrom('customers')
    .select('erased_at')
    .where('workspace_id', '=', actor.workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!current) throw notFound('customer');
  refuseErased(current);
  const res = await db
    .updateTable('customers')
    .set({
      ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
      ...(input.attributes !== undefined
        ? { attributes_json: JSON.stringify(input.attributes) }
        : {}),
      updated_at: now,
    })
    .where('workspace_id', '=', actor.workspaceId)
    .where('id', '=', id)
    // Erased between the read and the write: still refused.
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw erasedRefusal();
}

export async function customerMerges(db: Kysely<DB>, workspaceId: string, id: string) {
  // An unknown customer is a 404, not an empty history (a merged one still has its merges).
  const customer = await db
    .selectFrom('customers')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!customer) throw notFound('customer');
  const rows = await db
    .selectFrom('customer_merges')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('survivor_id', '=', id), eb('merged_id', '=', id)]))
    .orderBy('id', 'desc')
    .execute();
  return rows.map((m) => ({
    id: m.id,
    survivorId: m.survivor_id,
    mergedId: m.merged_id,
    actor: { type: m.actor_type, id: m.actor_id },
    reason: m.reason,
    createdAt: iso(m.created_at),
    undoneAt: iso(m.undone_at),
    undoneBy: m.undone_by,
    undoReason: m.undo_reason,
  }));
}
