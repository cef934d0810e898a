import { type App, buildApp } from '../app.js';
import { redactUrl } from '../config.js';
import { loadDemoOnFirstStart } from '../demo/demo.first-start.js';
import { generatePassword } from '../platform/auth/passwords.js';
import { createUser } from '../platform/auth/users.js';
import { AppError } from '../platform/errors.js';
import { createLogger } from '../platform/logging.js';
import { configOrExit } from './context.js';
import { firstStartToken } from './first-start.js';

/** `throughline serve`: migrate, bootstrap on first start, then serve until a signal. */
export async function serveCommand(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const app = await buildApp({ config, logger });
  const out = (s: string) => process.stdout.write(`${s}\n`);

  const { firstStart, adminExists } = await bootstrapAdmin(app);
  if (!adminExists) {
    logger.warn(
      'no active administrator: create one with `throughline user create --role admin --email …`',
    );
  }

  const address = await app.start();
  const port = address ? new URL(address).port : String(config.port);
  const url = config.publicUrl.replace(/:\d+$/, `:${port}`);
  logger.info({ url, database: redactUrl(config.databaseUrl) }, 'throughline listening');

  // The demo goes into an empty desk only: one a CLI command (token create, replay) made before
  // the first start may already hold real data.
  if (firstStart && config.demo && (await isEmptyDesk(app))) {
    await loadDemoOnFirstStart(app, logger, out);
  }
  out(`Throughline is running at ${url}`);
  out(`  REST API under ${url}/api/v1, described at ${url}/api/openapi.json (no web app yet)`);
  if (firstStart) {
    out('First start: an administrator account was created. This is shown once:');
    out(`  email:      ${firstStart.email}`);
    out(`  password:   ${firstStart.password}   (one-time: change it after signing in)`);
    out(
      `  API token:  ${firstStart.token}   (expires ${new Date(firstStart.expiresAt).toISOString()}, in 24 hours)`,
    );
    out(
      '  For a lasting token: `throughline token create --name NAME [--role R]` on the server, or sign in, change the password and POST /api/v1/tokens.',
    );
    out(`Try: curl -H "Authorization: Bearer ${firstStart.token}" ${url}/api/v1/cases`);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/**
 * The first start's administrator: created when the desk has no active administrator, not only
 * when this process created the workspace, because any CLI command run first (`token create`,
 * `replay`, `migrate`) creates the workspace too and the desk then started with nobody able to
 * sign in. The fixed e-mail and its unique index keep two nodes starting at once from making two;
 * the loser skips the banner.
 */
async function bootstrapAdmin(app: App): Promise<{
  firstStart: { email: string; password: string; token: string; expiresAt: number } | null;
  adminExists: boolean;
}> {
  if (!app.workspace.created && (await hasActiveAdmin(app))) {
    return { firstStart: null, adminExists: true };
  }
  const email = 'admin@throughline.local';
  const password = generatePassword();
  let userId: string;
  try {
    ({ id: userId } = await createUser(app.database.db, {
      workspaceId: app.workspace.workspaceId,
      email,
      name: 'Administrator',
      role: 'admin',
      password,
      mustChangePassword: true,
    }));
  } catch (err) {
    // The address is taken: by a node that won the race (the unique index) or by a disabled admin.
    const taken =
      (err instanceof AppError && err.code === 'conflict') ||
      /unique|duplicate/i.test(String((err as Error).message));
    if (!taken) throw err;
    return { firstStart: null, adminExists: await hasActiveAdmin(app) };
  }
  const now = Date.now();
  const { token, expiresAt } = await firstStartToken(
    app.database.db,
    app.workspace.workspaceId,
    userId,
    now,
  );
  return { firstStart: { email, password, token, expiresAt }, adminExists: true };
}

async function hasActiveAdmin(app: App): Promise<boolean> {
  const row = await app.database.db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', app.workspace.workspaceId)
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

async function isEmptyDesk(app: App): Promise<boolean> {
  const row = await app.database.db
    .selectFrom('cases')
    .select('id')
    .where('workspace_id', '=', app.workspace.workspaceId)
    .executeTakeFirst();
  return row === undefined;
}
