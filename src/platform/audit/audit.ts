import { userInfo } from 'node:os';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { newId } from '../ids.js';

/**
 * Who did something, as the audit log records it: a signed-in person, an API token, a command run
 * on the server (`cli`, with the OS user who ran it), or the desk itself (`system`: retention).
 */
export interface AuditActor {
  type: 'user' | 'token' | 'cli' | 'system';
  id: string | null;
}

export interface AuditEntry {
  workspaceId: string;
  actor: AuditActor;
  action: string;
  target?: string | null;
  /** Facts about the change. Never secrets, passwords, tokens or message texts: callers name fields, not values. */
  data?: Record<string, unknown>;
  at: number;
}

/** The person or token behind an HTTP request (the auth hook set `req.actor`). */
export function requestActor(actor: { type: 'user' | 'token'; id: string }): AuditActor {
  return { type: actor.type, id: actor.id };
}

/**
 * A CLI command's actor: the OS account that ran it. Before, CLI `token create` and `user create`
 * were recorded as `system` with no actor, indistinguishable from the desk's own changes.
 */
export function cliActor(): AuditActor {
  let name = process.env.SUDO_USER || process.env.USER || process.env.LOGNAME || '';
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = '';
    }
  }
  return { type: 'cli', id: name || 'cli' };
}

/** Appends one entry. The table refuses updates and deletes (migration 0017). */
export async function audit(db: Kysely<DB>, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      workspace_id: e.workspaceId,
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      action: e.action,
      target: e.target ?? null,
      data_json: JSON.stringify(e.data ?? {}),
      created_at: e.at,
    })
    .execute();
}
