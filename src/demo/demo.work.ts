import type { App } from '../app.js';
import { updateCase } from '../cases/case.service.js';
import { AppError } from '../platform/errors.js';
import { assignCase } from '../routing/assign.js';
import { updateQueue } from '../routing/queue.routes.js';
import type { DemoStaff } from './demo.staff.js';

const MIN = 60_000;
/** An answered case whose last word is this old is done: its agent resolved it. */
const QUIET_MS = 3 * 60 * MIN;

/**
 * The agent work behind the demo's traffic, through the case and routing services: each
 * answered case that has been quiet for a while was taken by an agent (picked by the queue's
 * load-balanced routing) and resolved by them shortly after our last word; then the queue turns
 * automatic and routing hands the open cases to the online agents, as far as their capacity goes.
 * Times are the traffic's event times, so SLA clocks see a desk that resolved in time.
 */
export async function workTheDesk(app: App, staff: DemoStaff, loadedAt: number): Promise<void> {
  const { db } = app.database;
  const ws = app.workspace.workspaceId;
  const links = { publicUrl: app.config.publicUrl };
  const done = await db
    .selectFrom('cases')
    .innerJoin('case_sla', 'case_sla.case_id', 'cases.id')
    .select([
      'cases.id',
      'cases.status',
      'cases.opened_at',
      'cases.last_message_at',
      'case_sla.clocks_json',
    ])
    .where('cases.workspace_id', '=', ws)
    .where((eb) =>
      eb.or([
        eb.and([eb('cases.status', '=', 'open'), eb('cases.first_response_at', 'is not', null)]),
        // Thanks and praise need no answer: read and resolved without a reply.
        eb.and([eb('cases.status', '=', 'new'), eb('cases.topic', '=', 'praise')]),
      ]),
    )
    .where('cases.last_message_at', '<', loadedAt - QUIET_MS)
    .orderBy('cases.opened_at')
    .execute();
  for (const c of done) {
    // Still waiting on us (a customer's message with no answer yet): not done.
    if (c.status === 'open' && waitingOnUs(c.clocks_json)) continue;
    try {
      const { assigneeId } = await assignCase(
        db,
        staff.loader,
        c.id,
        undefined,
        Number(c.opened_at) + MIN,
        app.database.caps.skipLocked,
      );
      const agent = assigneeId ? staff.agents.get(assigneeId) : undefined;
      if (!agent) continue;
      const at = Math.min(loadedAt, Number(c.last_message_at) + 10 * MIN);
      // A deadlock with the scheduler (firing the demo's due deadlines on every node) is rerun
      // inside; what another node or an agent did to the case first is left as it is.
      await updateCase(db, agent, c.id, { status: 'resolved' }, at, links);
    } catch (err) {
      if (
        !(err instanceof AppError && (err.code === 'conflict' || err.code === 'invalid_transition'))
      )
        throw err;
    }
  }
  await updateQueue(db, ws, staff.queueId, { assignmentMode: 'load_balanced' });
  await app.care.assignNow();
}

/** Whether a response clock (first or next) is running: the customer waits for our answer. */
function waitingOnUs(clocksJson: string): boolean {
  const clocks = JSON.parse(clocksJson) as Record<string, { runningSince: number | null }>;
  return ['first_response', 'next_response'].some((k) => clocks[k]?.runningSince != null);
}
