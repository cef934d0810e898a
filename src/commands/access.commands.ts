import type { App } from '../app.js';
import { cliActor } from '../platform/audit/audit.js';
import {
  createApiToken,
  listApiTokens,
  parseDuration,
  revokeApiToken,
} from '../platform/auth/tokens.js';
import {
  listUsers,
  ROLES,
  resetPassword,
  TOKEN_ROLES,
  updateUser,
} from '../platform/auth/user-admin.js';
import type { Role, TokenRole } from '../platform/db/schema.js';
import { ACCESS_CHANGED } from '../platform/http/live-stream.js';
import { withApp } from './context.js';
import { forTerminal, jsonLine } from './terminal.js';

export function checkRole(role: string): Role {
  if (!ROLES.includes(role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

function checkTokenRole(role: string): TokenRole {
  if (!TOKEN_ROLES.includes(role as TokenRole))
    throw new Error(`--role must be one of ${TOKEN_ROLES.join(', ')}`);
  return role as TokenRole;
}

/**
 * Tells running servers' open live streams to check their credentials now, as the API routes do
 * (access.routes.ts). On PostgreSQL the command's bus relays it to every node by NOTIFY, sent
 * before the command's app closes (cluster.ts); on SQLite it stays in this process, and servers
 * find the change in the audit log instead (access-watch.ts).
 */
function accessChanged(app: App, data: Record<string, unknown>) {
  app.bus.publish({ type: ACCESS_CHANGED, workspaceId: app.workspace.workspaceId, data });
}

/** Prints the new token alone on stdout so scripts can capture it. */
export async function tokenCreateCommand(opts: { name: string; role: string; expiresIn?: string }) {
  const role = checkTokenRole(opts.role);
  const ttl = opts.expiresIn ? parseDuration(opts.expiresIn) : null;
  await withApp(async (app) => {
    const now = Date.now();
    const { token } = await createApiToken(
      app.database.db,
      app.workspace.workspaceId,
      opts.name,
      role,
      now,
      { expiresAt: ttl === null ? null : now + ttl, actor: cliActor() },
    );
    process.stdout.write(`${token}\n`);
  });
}

export async function tokenListCommand(opts: { json?: boolean }) {
  await withApp(
    async (app) => {
      const items = await listApiTokens(app.database.db, app.workspace.workspaceId);
      for (const t of items) {
        if (opts.json) {
          process.stdout.write(`${jsonLine(t)}\n`);
          continue;
        }
        const state = t.revokedAt
          ? 'revoked'
          : t.active
            ? 'active'
            : t.ownerDisabled
              ? 'suspended (owner disabled)'
              : t.effectiveRole === null
                ? 'no role (owner no longer admin)'
                : 'expired';
        process.stdout.write(
          `${t.id}  ${forTerminal(t.name)}  ${t.role}  ${state}  last used ${t.lastUsedAt ?? 'never'}  expires ${t.expiresAt ?? 'never'}\n`,
        );
      }
    },
    { existing: true },
  );
}

export async function tokenRevokeCommand(id: string) {
  await withApp(
    async (app) => {
      const { alreadyRevoked } = await revokeApiToken(
        app.database.db,
        app.workspace.workspaceId,
        id,
        cliActor(),
      );
      if (!alreadyRevoked) accessChanged(app, { tokenId: id });
      process.stdout.write(
        alreadyRevoked ? `token ${id} was already revoked\n` : `token ${id} revoked\n`,
      );
    },
    { existing: true },
  );
}

export async function userListCommand(opts: { json?: boolean }) {
  await withApp(
    async (app) => {
      for (const u of await listUsers(app.database.db, app.workspace.workspaceId)) {
        if (opts.json) process.stdout.write(`${jsonLine(u)}\n`);
        else
          process.stdout.write(
            `${u.id}  ${forTerminal(u.email)}  ${u.role}${u.disabledAt ? '  disabled' : ''}\n`,
          );
      }
    },
    { existing: true },
  );
}

/** `user role`, `user disable`, `user enable`: one user by e-mail or id. */
export async function userUpdateCommand(
  who: string,
  change: { role?: string; disabled?: boolean },
) {
  const role = change.role ? checkRole(change.role) : undefined;
  await withApp(
    async (app) => {
      const u = await updateUser(
        app.database.db,
        app.workspace.workspaceId,
        who,
        { role, disabled: change.disabled },
        cliActor(),
      );
      accessChanged(app, { userId: u.id });
      process.stdout.write(
        `user ${u.id} (${forTerminal(u.email)}): ${u.role}${u.disabledAt ? ', disabled' : ''}\n`,
      );
    },
    { existing: true },
  );
}

/**
 * `user password-reset`: a new one-time password for a user (by e-mail or id), printed alone on
 * stdout as the first start prints the admin's; their sessions end. Audited with the OS user.
 */
export async function userPasswordResetCommand(who: string) {
  await withApp(
    async (app) => {
      const done = await resetPassword(app.database.db, app.workspace.workspaceId, who, cliActor());
      accessChanged(app, { userId: done.id });
      process.stderr.write(
        `user ${done.id} (${forTerminal(done.email)}): password reset, ${done.endedSessions} session(s) ended; one-time password (change it after signing in):\n`,
      );
      process.stdout.write(`${done.oneTimePassword}\n`);
    },
    { existing: true },
  );
}
