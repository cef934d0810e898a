import { listParked, retryParked } from '../ingest/parked.js';
import { cliActor } from '../platform/audit/audit.js';
import { generatePassword } from '../platform/auth/passwords.js';
import { createUser } from '../platform/auth/users.js';
import { openDatabase } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { checkRole } from './access.commands.js';
import { configOrExit, withApp } from './context.js';
import { forTerminal, jsonLine } from './terminal.js';

/** Migrates without building the app (which migrates first), so it can say what it applied. */
export async function migrateCommand() {
  const config = configOrExit();
  const database = openDatabase(config.databaseUrl, {
    sqliteSynchronous: config.sqliteSynchronous,
  });
  try {
    const { applied } = await migrateToLatest(database);
    process.stdout.write(
      `database is migrated (${database.describe}); ${applied.length} applied now\n`,
    );
  } finally {
    await database.close();
  }
}

export { tokenCreateCommand } from './access.commands.js';

export async function userCreateCommand(opts: {
  email: string;
  name?: string;
  role: string;
  password?: string;
}) {
  const role = checkRole(opts.role);
  const password = opts.password ?? process.env.THROUGHLINE_USER_PASSWORD ?? generatePassword();
  await withApp(async (app) => {
    const { id } = await createUser(app.database.db, {
      workspaceId: app.workspace.workspaceId,
      email: opts.email,
      name: opts.name ?? opts.email.split('@')[0],
      role,
      password,
      mustChangePassword: !opts.password,
      actor: cliActor(),
    });
    process.stdout.write(`user ${id} created (${opts.email}, ${role})\n`);
    if (!opts.password) process.stdout.write(`one-time password: ${password}\n`);
  });
}

export async function parkedCommand(opts: { retry?: boolean; json?: boolean }) {
  await withApp(
    async (app) => {
      const ws = app.workspace.workspaceId;
      if (opts.retry) {
        const n = await retryParked(app.database.db, ws, Date.now());
        const processed = await app.pipeline.drain();
        process.stdout.write(`queued ${n} parked events again; processed ${processed}\n`);
        return;
      }
      const items = await listParked(app.database.db, ws, 1000);
      if (opts.json) {
        for (const i of items) process.stdout.write(`${jsonLine(i)}\n`);
        return;
      }
      if (items.length === 0) {
        process.stdout.write('no parked events\n');
        return;
      }
      for (const i of items) {
        process.stdout.write(
          `#${i.seq}  ${forTerminal(`${i.channel}/${i.externalId}`)}  attempts=${i.attempts}  ${i.receivedAt}\n    ${forTerminal(String(i.error))}\n`,
        );
      }
    },
    { existing: true },
  );
}
