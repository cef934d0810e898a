import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { LiveBus, LiveEvent } from '../realtime/bus.js';
import { stillAuthenticated } from './auth.js';
import type { Http } from './server.js';

interface OpenStream {
  userId: string | null;
  session: string | null;
  end(reason: string): void;
}

/**
 * A live event that tells every stream of the workspace to check its credentials now: an admin
 * disabled a user, changed a role or revoked a token. It goes through the bus, so on PostgreSQL
 * the other nodes' streams hear it too, and no client is sent it.
 */
export const ACCESS_CHANGED = 'access.changed';

/**
 * The SSE streams open on this node, so that signing out (or a password change ending sessions)
 * closes a stream of that session at once. Disabling, role changes and revoked tokens reach every
 * node's streams as `ACCESS_CHANGED`: from the API routes and the CLI through the bus (across
 * nodes on PostgreSQL), and on SQLite, where the bus ends at its process, from the audit log
 * each server watches (access-watch.ts). Anything else is caught by each stream's own periodic
 * check.
 */
export class LiveStreams {
  private readonly open = new Set<OpenStream>();

  add(stream: OpenStream): () => void {
    this.open.add(stream);
    return () => this.open.delete(stream);
  }

  /** Ends the streams of one session (its cookie secret). */
  endSession(secret: string): void {
    for (const s of [...this.open]) if (s.session === secret) s.end('signed out');
  }

  /** Ends a user's streams on every session but `keepSession`. */
  endUser(userId: string, keepSession?: string): void {
    for (const s of [...this.open]) {
      if (s.userId === userId && s.session !== keepSession) s.end('session ended');
    }
  }
}

export interface LiveStreamDeps {
  db: Kysely<DB>;
  bus: LiveBus;
  streams: LiveStreams;
  /** How often a stream checks that its session or token still holds (default 30 s). */
  recheckMs?: number;
}

/**
 * `GET /api/v1/events`: live updates as Server-Sent Events. A comment line every 25 s keeps
 * proxies from closing an idle stream. Authentication is checked at connect like any request,
 * again at once when access changes (`ACCESS_CHANGED`), and every `recheckMs`: a stream outliving
 * its session (logout, expiry, password change), its user (disabled, role changed) or its API
 * token (revoked) is ended with an `end` event instead of going on delivering.
 */
export function liveStreamRoute(app: Http, deps: LiveStreamDeps) {
  const recheckMs = deps.recheckMs ?? 30_000;
  app.get(
    '/api/v1/events',
    { schema: { tags: ['system'], summary: 'Live updates (text/event-stream)' } },
    (req, reply) => {
      const { actor, credential } = req;
      const workspaceId = actor.workspaceId;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      let id = 0;
      let ended = false;
      // Events that arrive while an access change is being checked wait for its answer, so none
      // reaches a stream whose credentials no longer hold. A change announced during a check may
      // have missed its read: it is checked again.
      let held: LiveEvent[] | null = null;
      let again = false;
      const write = (e: LiveEvent) =>
        res.write(`id: ${++id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
      const checkAccess = (): void => {
        held ??= [];
        again = false;
        check().finally(() => {
          if (again && !ended) return checkAccess();
          const waiting = held ?? [];
          held = null;
          if (!ended) for (const w of waiting) write(w);
        });
      };
      const unsubscribe = deps.bus.subscribe((e) => {
        if (ended || e.workspaceId !== workspaceId) return;
        if (e.type === ACCESS_CHANGED) {
          if (held) again = true;
          else checkAccess();
        } else if (held) held.push(e);
        else write(e);
      });
      const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
      const cleanup = () => {
        ended = true;
        clearInterval(ping);
        clearInterval(recheck);
        unsubscribe();
        forget();
      };
      const end = (reason: string) => {
        if (ended) return;
        cleanup();
        // A browser's EventSource reconnects after an end; that request is then refused (401).
        res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      };
      const forget = deps.streams.add({
        userId: actor.type === 'user' ? actor.id : null,
        session: credential?.kind === 'session' ? credential.secret : null,
        end,
      });
      const check = () =>
        stillAuthenticated(deps.db, actor, credential).then(
          (ok) => ok || end('credentials no longer valid'),
          (err) => req.log.warn({ err }, 'live stream: could not re-check credentials'),
        );
      const recheck = setInterval(check, recheckMs);
      req.raw.on('close', cleanup);
    },
  );
}
