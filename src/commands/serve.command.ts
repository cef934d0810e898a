import { buildApp } from '../app.js';
import { redactUrl } from '../config.js';
import { loadDemo } from '../demo/demo.loader.js';
import { generatePassword } from '../platform/auth/passwords.js';
import { createApiToken } from '../platform/auth/tokens.js';
import { createUser } from '../platform/auth/users.js';
import { createLogger } from '../platform/logging.js';
import { configOrExit } from './context.js';

/** `throughline serve`: migrate, bootstrap on first start, then serve until a signal. */
export async function serveCommand(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const app = await buildApp({ config, logger });
  const out = (s: string) => process.stdout.write(`${s}\n`);

  let firstStart: { email: string; password: string; token: string } | null = null;
  if (app.workspace.created) {
    const email = 'admin@throughline.local';
    const password = generatePassword();
    await createUser(app.database.db, {
      workspaceId: app.workspace.workspaceId,
      email,
      name: 'Administrator',
      role: 'admin',
      password,
      mustChangePassword: true,
    });
    const { token } = await createApiToken(
      app.database.db,
      app.workspace.workspaceId,
      'first-start',
      'admin',
    );
    firstStart = { email, password, token };
  }

  const address = await app.start();
  const port = address ? new URL(address).port : String(config.port);
  const url = config.publicUrl.replace(/:\d+$/, `:${port}`);
  logger.info({ url, database: redactUrl(config.databaseUrl) }, 'throughline listening');

  if (firstStart && config.demo) {
    const t0 = Date.now();
    const demo = await loadDemo(app);
    logger.info(
      { cases: demo.cases, messages: demo.messages, ms: Date.now() - t0 },
      'demo workspace loaded',
    );
    out(
      `Demo workspace loaded: ${demo.cases} cases, ${demo.messages} messages of simulated traffic.`,
    );
    out('  (labelled as demo; set THROUGHLINE_DEMO=false before the first start to begin empty)');
  }
  out(`Throughline is running at ${url}`);
  if (firstStart) {
    out('First start: an administrator account was created. This is shown once:');
    out(`  email:      ${firstStart.email}`);
    out(`  password:   ${firstStart.password}   (one-time: change it after signing in)`);
    out(`  API token:  ${firstStart.token}`);
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
