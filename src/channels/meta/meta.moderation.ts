import { Type } from '@sinclair/typebox';
import { AppError } from '../../platform/errors.js';
import type { Http } from '../../platform/http/server.js';
import { newId } from '../../platform/ids.js';
import { ConnectorError } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import { setCommentHidden } from './meta.sender.js';

/** `POST /api/v1/channels/:id/comments/:commentId/hide` — moderation by any agent, audited. */
export function metaModerationRoutes(app: Http, deps: ChannelDeps) {
  app.post(
    '/api/v1/channels/:id/comments/:commentId/hide',
    {
      schema: {
        tags: ['channels'],
        summary: 'Hide (or unhide) a Facebook Page comment',
        params: Type.Object({
          id: Type.String({ maxLength: 100 }),
          commentId: Type.String({ pattern: '^[0-9_]{1,80}$' }),
        }),
        body: Type.Optional(Type.Object({ hidden: Type.Optional(Type.Boolean()) })),
      },
    },
    async (req) => {
      const hidden = req.body?.hidden ?? true;
      try {
        await setCommentHidden(deps, req.params.id, req.params.commentId, hidden);
      } catch (err) {
        if (err instanceof ConnectorError) {
          throw new AppError(
            err.retryable ? 'unavailable' : 'bad_request',
            `${err.kind}: ${err.message}`,
          );
        }
        throw err;
      }
      await deps.db
        .insertInto('audit_log')
        .values({
          id: newId(),
          workspace_id: deps.workspaceId,
          actor_type: req.actor.type,
          actor_id: req.actor.id,
          action: hidden ? 'comment.hidden' : 'comment.unhidden',
          target: req.params.commentId,
          data_json: JSON.stringify({ channelId: req.params.id }),
          created_at: deps.clock(),
        })
        .execute();
      return { commentId: req.params.commentId, hidden };
    },
  );
}
