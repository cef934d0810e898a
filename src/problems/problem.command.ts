import { withApp } from '../commands/context.js';
import { changeProblem } from './problem.service.js';
import type { ProblemStatus } from './problem.store.js';

/** `throughline problems list [--status s] [--json]`. */
export async function problemsListCommand(opts: { status?: string; json?: boolean }) {
  await withApp(async (app) => {
    let q = app.database.db
      .selectFrom('problems')
      .selectAll()
      .where('workspace_id', '=', app.workspace.workspaceId);
    if (opts.status) q = q.where('status', 'in', opts.status.split(','));
    const rows = await q.orderBy('detected_at').execute();
    for (const r of rows) {
      const line = opts.json
        ? JSON.stringify({
            id: r.id,
            number: Number(r.number),
            status: r.status,
            title: r.title,
            topic: r.topic,
            area: {
              postalCode: null,
              city: null,
              region: null,
              country: null,
              ...(r.area_json ? JSON.parse(r.area_json) : {}),
            },
            detectedAt: new Date(Number(r.detected_at)).toISOString(),
            customers: Number(r.customer_count),
            owner: r.owner,
          })
        : `#${r.number}\t${r.status}\t${new Date(Number(r.detected_at)).toISOString()}\t${r.customer_count} customers\t${r.title}\t${r.id}`;
      process.stdout.write(`${line}\n`);
    }
  });
}

/** `throughline problems status <id> <status> [--message text]`: as the API, as the CLI user. */
export async function problemsStatusCommand(
  id: string,
  status: string,
  opts: { message?: string },
) {
  await withApp(async (app) => {
    const res = await changeProblem(
      app.database.db,
      { type: 'cli', id: 'cli', workspaceId: app.workspace.workspaceId },
      id,
      { status: status as ProblemStatus, body: opts.message },
      Date.now(),
    );
    process.stdout.write(
      `problem #${res.problem.number} is ${res.problem.status}; ${res.notified} customers queued for notification\n`,
    );
  });
}
