import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { findApiToken } from '../auth/tokens.js';
import { findSession } from '../auth/users.js';
import type { DB, TokenRole } from '../db/schema.js';
import { AppError } from '../errors.js';

export const SESSION_COOKIE = 'tl_session';

/** Who is calling: a person with a session, or a machine with an API token. */
export interface Actor {
  type: 'user' | 'token';
  id: string;
  name: string;
  role: TokenRole;
  workspaceId: string;
}

/** The secret the actor authenticated with, kept for the request's life so a long one (SSE) can
 * check again later that it still holds. */
export type Credential = { kind: 'token' | 'session'; secret: string };

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    credential?: Credential;
  }
  interface FastifyContextConfig {
    /** Open route (health, channel webhooks that verify their own signatures). */
    public?: boolean;
    /** Reachable by a user still holding a one-time password (who am I, change password, logout). */
    allowWithOneTimePassword?: boolean;
    /**
     * Roles allowed; default: any person's role. An `integration` token is allowed only where
     * this names it.
     */
    roles?: TokenRole[];
  }
}

/**
 * Authenticates every request unless its route is marked public. Bearer tokens are for
 * machines, the session cookie for the web app (SameSite=Strict, so other sites cannot ride it).
 */
export function authHook(db: Kysely<DB>) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const config = req.routeOptions.config;
    if (config?.public) return;
    const header = req.headers.authorization;
    let actor: Actor | null = null;
    let credential: Credential | undefined;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new AppError('unauthenticated', 'Authorization must be "Bearer <token>"');
      const row = await findApiToken(db, m[1]);
      if (!row) throw new AppError('unauthenticated', 'API token is invalid or revoked');
      actor = {
        type: 'token',
        id: row.id,
        name: row.name,
        role: row.role,
        workspaceId: row.workspace_id,
      };
      credential = { kind: 'token', secret: m[1] };
    } else {
      const sid = req.cookies?.[SESSION_COOKIE];
      if (sid) {
        const s = await findSession(db, sid);
        if (s) {
          actor = {
            type: 'user',
            id: s.id,
            name: s.name,
            role: s.role,
            workspaceId: s.workspace_id,
          };
          credential = { kind: 'session', secret: sid };
          // A one-time password opens only the door to choosing a real one.
          if (s.must_change_password === 1 && !config?.allowWithOneTimePassword) {
            throw new AppError(
              'forbidden',
              'change your one-time password first (POST /api/v1/auth/password)',
            );
          }
        }
      }
    }
    if (!actor) throw new AppError('unauthenticated', 'sign in or send an API token');
    // An integration's token submits customer messages and nothing else: a leaked one reads no
    // case, customer or setting. Routes open to it say so in `roles`.
    if (actor.role === 'integration' && !config?.roles?.includes('integration')) {
      throw new AppError(
        'forbidden',
        'an integration token may only submit inbound messages (POST /api/v1/inbound)',
      );
    }
    if (config?.roles && !config.roles.includes(actor.role)) {
      throw new AppError('forbidden', `this needs one of the roles: ${config.roles.join(', ')}`);
    }
    req.actor = actor;
    req.credential = credential;
  };
}

/**
 * Whether the credential a request was authenticated with still lets the same actor in with the
 * same role: false once the session ended (logout, expiry, a password change) or the token was
 * revoked. Requests are checked once, at the start; a stream that lives on asks this again.
 */
export async function stillAuthenticated(
  db: Kysely<DB>,
  actor: Actor,
  credential: Credential | undefined,
): Promise<boolean> {
  if (!credential) return false;
  if (credential.kind === 'token') {
    const row = await findApiToken(db, credential.secret);
    return !!row && row.id === actor.id && row.role === actor.role;
  }
  const s = await findSession(db, credential.secret);
  return !!s && s.id === actor.id && s.role === actor.role && s.must_change_password !== 1;
}
