import type { App } from '../app.js';
import { updateInTrx } from '../cases/case.service.js';
import { caseWriteTransaction } from '../platform/db/case-writes-lock.js';
import type { Actor } from '../platform/http/auth.js';
import { pickAgent } from '../routing/assign.js';
import { updateQueue } from '../routing/queue.routes.js';
import type { DemoStaff } from './demo.staff.js';

const MIN = 60_000;
/** An answered case whose last word is this old is done: its agent resolved it. */
const QUIET_MS = 3 * 60 * MIN;

/**
 * The agent work behind the demo's traffic, through the case and routing code: each answered
 * case that has been quiet for a while was taken by an agent (picked by the queue's
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
      'cases.language',
      'cases.topic',
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
  // Who took each: the queue's load-balanced pick among the online agents (routing's own
  // pickAgent, skills included), made up front so the writes below can be rerun as they are.
  // Each is resolved before the next arrives, so the agent's room comes back.
  const work: { id: string; agent: Actor; at: number }[] = [];
  for (const c of done) {
    // Still waiting on us (a customer's message with no answer yet): not done.
    if (c.status === 'open' && waitingOnUs(c.clocks_json)) continue;
    const at = Math.min(loadedAt, Number(c.last_message_at) + 10 * MIN);
    const slot = pickAgent('load_balanced', staff.slots, c, at);
    const agent = slot && staff.agents.get(slot.userId);
    if (!slot || !agent) continue;
    slot.load--;
    work.push({ id: c.id, agent, at });
  }
  // Through the case service, as the agent, in a few transactions: one a case would cost a disk
  // sync a case (SQLite's default synchronous=FULL) on the first start.
  for (let i = 0; i < work.length; i += 100) {
    await caseWriteTransaction(db, async (trx) => {
      for (const w of work.slice(i, i + 100)) {
        await updateInTrx(
          trx,
          w.agent,
          w.id,
          { assigneeId: w.agent.id, status: 'resolved' },
          w.at,
          links,
        );
      }
    });
  }
  await updateQueue(db, ws, staff.queueId, { assignmentMode: 'load_balanced' });
  await app.care.assignNow();
}

/** Whether a response clock (first or next) is running: the customer waits for our answer. */
function waitingOnUs(clocksJson: string): boolean {
  const clocks = JSON.parse(clocksJson) as Record<string, { runningSince: number | null }>;
  return ['first_response', 'next_response'].some((k) => clocks[k]?.runningSince != null);
}
