import { writeFileSync } from 'node:fs';
import { cliActor } from '../platform/audit/audit.js';
import { eraseCustomer } from '../privacy/erase.js';
import { exportCustomer } from '../privacy/export.js';
import { withApp } from './context.js';

/** `customer export <id> [--out file]`: the data-subject export as JSON (stdout by default). */
export async function customerExportCommand(id: string, opts: { out?: string }) {
  await withApp(
    async (app) => {
      const doc = await exportCustomer(app.database.db, app.workspace.workspaceId, id);
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      if (opts.out) writeFileSync(opts.out, text, { mode: 0o600 });
      else process.stdout.write(text);
    },
    { existing: true },
  );
}

/** `customer erase <id> --yes`: irreversible, so it wants the flag. */
export async function customerEraseCommand(id: string, opts: { yes?: boolean }) {
  if (!opts.yes) throw new Error('erasure cannot be undone: add --yes to confirm');
  await withApp(
    async (app) => {
      const r = await eraseCustomer(
        app.database.db,
        app.workspace.workspaceId,
        id,
        cliActor(),
        Date.now(),
      );
      process.stdout.write(
        `customer ${id} erased: ${r.customerIds.length} customer record(s), ${r.cases} cases, ${r.messages} messages, ${r.identities} identities\n`,
      );
    },
    { existing: true },
  );
}
