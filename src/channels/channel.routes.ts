import { Type } from '@sinclair/typebox';
import { AppError, notFound } from '../platform/errors.js';
import { Created } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import { countParked, readState } from './channel.state.js';
import { createChannel, listChannelRows, loadChannel } from './channel.store.js';
import { testChannelConnection } from './channel.test-connection.js';
import { RECORD_KINDS, type XChannel } from './channel.types.js';
import { canReceive, type ImapChannel } from './email/email.imap.js';
import { pollEmailChannel } from './email/email.poll.js';
import type { EmailChannel } from './email/email.types.js';
import type { ChannelDeps } from './routes.js';
import { xDmDeepLink } from './x/x.links.js';
import { pollXChannel } from './x/x.poll.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

/** Kinds whose provider calls us back (email is polled over IMAP instead). */
const WEBHOOK_KINDS = new Set(['x', 'meta', 'sms']);

/** The webhook URL a provider must be given for this channel. */
export function webhookUrl(publicUrl: string, kind: string, id: string): string {
  return `${publicUrl.replace(/\/$/, '')}/webhooks/${kind}/${id}`;
}

/** Channel administration: connect, list, health, connection test, poll now. */
export function channelAdminRoutes(app: Http, deps: ChannelDeps) {
  const view = (row: {
    id: string;
    kind: string;
    name: string;
    config_json: string;
    created_at: number;
    disabled_at: number | null;
  }) => ({
    id: row.id,
    kind: row.kind,
    name: row.name,
    // Non-secret settings only; credentials never leave the server.
    config: JSON.parse(row.config_json) as Record<string, unknown>,
    webhookUrl: WEBHOOK_KINDS.has(row.kind)
      ? webhookUrl(deps.config.publicUrl, row.kind, row.id)
      : null,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    disabledAt: row.disabled_at === null ? null : new Date(Number(row.disabled_at)).toISOString(),
  });

  const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
  const health = async (id: string) => {
    const s = await readState(deps.db, id);
    const { __budget, ...cursors } = s.cursors as Record<string, unknown>;
    return {
      status: s.health,
      lastEventAt: iso(s.lastEventAt),
      lastError: s.lastError,
      lastErrorAt: iso(s.lastErrorAt),
      errorsTotal: s.errorsTotal,
      rateLimits: Object.fromEntries(
        Object.entries(s.rateLimits).map(([k, v]) => [
          k,
          {
            limit: v.limit ?? null,
            remaining: v.remaining ?? null,
            resetAt: iso(v.resetAt),
            blockedUntil: iso(v.blockedUntil),
          },
        ]),
      ),
      readBudget: __budget ?? null,
      cursors,
      parkedEvents: await countParked(deps.db, deps.workspaceId, id),
    };
  };

  app.get(
    '/api/v1/channels',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: { tags: ['channels'], summary: 'List channels' },
    },
    async () => {
      const rows = await listChannelRows(deps.db, deps.workspaceId);
      const items = rows.map(view);
      // The list shape every list endpoint answers (README); a desk has a handful of channels,
      // so one page. `channels` is kept for clients written against the first version.
      return { items, nextCursor: null, channels: items };
    },
  );

  app.get(
    '/api/v1/channels/:id',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: { tags: ['channels'], summary: 'A channel and its health', params: IdParams },
    },
    async (req) => {
      const rows = await listChannelRows(deps.db, deps.workspaceId);
      const row = rows.find((r) => r.id === req.params.id);
      if (!row) throw notFound('channel');
      return { ...view(row), health: await health(row.id) };
    },
  );

  app.post(
    '/api/v1/channels',
    {
      config: { roles: ['admin'] },
      schema: {
        response: { 201: Created() },
        tags: ['channels'],
        summary: 'Connect a channel (credentials are stored encrypted)',
        body: Type.Object(
          {
            kind: Type.Union(RECORD_KINDS.map((k) => Type.Literal(k))),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            secrets: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const ch = await createChannel(
        deps.db,
        deps.secretKey,
        deps.workspaceId,
        req.body,
        deps.clock(),
      );
      await deps.db
        .insertInto('audit_log')
        .values({
          id: newId(),
          workspace_id: deps.workspaceId,
          actor_type: req.actor.type,
          actor_id: req.actor.id,
          action: 'channel.created',
          target: ch.id,
          data_json: JSON.stringify({ kind: ch.kind, name: ch.name }),
          created_at: deps.clock(),
        })
        .execute();
      const rows = await listChannelRows(deps.db, deps.workspaceId);
      return reply.status(201).send(view(rows.find((r) => r.id === ch.id)!));
    },
  );

  app.post(
    '/api/v1/channels/:id/test',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['channels'],
        summary: 'Test the connection to the provider',
        params: IdParams,
      },
    },
    async (req) => {
      const ch = await loadChannel(deps.db, deps.secretKey, deps.workspaceId, req.params.id);
      if (!ch) throw notFound('channel');
      return testChannelConnection(deps, ch as Parameters<typeof testChannelConnection>[1]);
    },
  );

  app.post(
    '/api/v1/channels/:id/poll',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['channels'],
        summary: "Poll an X channel, or an email channel's IMAP mailbox, now",
        params: IdParams,
      },
    },
    async (req) => {
      const ch = await loadChannel(deps.db, deps.secretKey, deps.workspaceId, req.params.id);
      if (ch?.kind === 'email' && canReceive(ch as EmailChannel)) {
        return { results: [await pollEmailChannel(deps, ch as ImapChannel)] };
      }
      if (ch?.kind !== 'x') throw notFound('X channel or email channel with IMAP');
      return { results: await pollXChannel(deps, ch as XChannel) };
    },
  );

  app.get(
    '/api/v1/channels/:id/dm-link',
    {
      schema: {
        tags: ['channels'],
        summary: 'X DM deep link for a public → private handoff',
        params: IdParams,
        querystring: Type.Object({ text: Type.Optional(Type.String({ maxLength: 1000 })) }),
      },
    },
    async (req) => {
      const ch = await loadChannel(deps.db, deps.secretKey, deps.workspaceId, req.params.id, 'x');
      if (!ch) throw notFound('X channel');
      const accountId = (ch as XChannel).config.accountId;
      if (!accountId)
        throw new AppError('bad_request', 'the X channel has no accountId configured');
      return { url: xDmDeepLink(accountId, req.query.text) };
    },
  );
}
