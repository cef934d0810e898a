import type { Kysely } from 'kysely';
import type { App } from '../app.js';
import type { DB } from '../platform/db/schema.js';
import { createPromise, type PromiseKind, settlePromise } from '../promises/promise.service.js';
import type { DemoStaff } from './demo.staff.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The promises of the demo desk, made and kept through the promise service by the agents who
 * own the cases: callbacks kept on calls we returned; open ones due soon, later today and in a
 * few days; one due in minutes (its reminder has gone off); and one whose deadline passed unkept,
 * which the scheduler breaks (and escalates) as it would any other.
 */
export async function makeDemoPromises(
  app: App,
  staff: DemoStaff,
  loadedAt: number,
): Promise<number> {
  const { db } = app.database;
  const ws = app.workspace.workspaceId;
  let made = 0;
  const owner = (id: string | null) => (id ? staff.agents.get(id) : undefined);

  // Kept: callbacks promised on voicemails, kept by the call that returned them.
  const returned = await db
    .selectFrom('cases')
    .innerJoin('messages as call', 'call.case_id', 'cases.id')
    .select((eb) => [
      'cases.id',
      'cases.assignee_id',
      'cases.opened_at',
      // The first call we made on the case is the one that kept the promise.
      eb.fn.min('call.sent_at').as('callAt'),
    ])
    .where('cases.workspace_id', '=', ws)
    .where('cases.channel', '=', 'voice')
    .where('cases.status', '=', 'resolved')
    .where('call.direction', '=', 'out')
    .groupBy(['cases.id', 'cases.assignee_id', 'cases.opened_at', 'cases.number'])
    .orderBy('cases.number')
    .limit(4)
    .execute();
  for (const c of returned) {
    const agent = owner(c.assignee_id);
    const madeAt = Number(c.opened_at) + 2 * MIN;
    const callAt = Number(c.callAt);
    if (!agent || callAt <= madeAt) continue;
    const p = await createPromise(
      db,
      agent,
      c.id,
      { kind: 'callback', description: 'Call back about the voicemail', dueAt: callAt + 45 * MIN },
      madeAt,
    );
    await settlePromise(db, agent, p.id, 'kept', 'returned the call', callAt);
    made++;
  }

  // Open: on assigned open cases, most urgent first; the oldest one's deadline has passed.
  const open = await openAssigned(db, ws);
  const plan: { kind: PromiseKind; description: string; madeAt: number; dueAt: number }[] = [
    {
      kind: 'callback',
      description: 'Call back with the result of the line test',
      madeAt: loadedAt - 6 * HOUR,
      dueAt: loadedAt - 2 * HOUR,
    },
    {
      kind: 'callback',
      description: 'Call back once the engineer has checked the line',
      madeAt: loadedAt - 50 * MIN,
      dueAt: loadedAt + 12 * MIN,
    },
    {
      kind: 'follow_up',
      description: 'Send the outcome of the billing review',
      madeAt: loadedAt - 2 * HOUR,
      dueAt: loadedAt + 3 * HOUR,
    },
    {
      kind: 'credit',
      description: 'Apply a $20 goodwill credit to the next bill',
      madeAt: loadedAt - 1 * HOUR,
      dueAt: loadedAt + 2 * 24 * HOUR,
    },
    {
      kind: 'follow_up',
      description: 'Confirm the replacement router has shipped',
      madeAt: loadedAt - 30 * MIN,
      dueAt: loadedAt + 20 * HOUR,
    },
  ];
  for (const [i, c] of open.entries()) {
    const step = plan[i];
    const agent = owner(c.assignee_id);
    if (!step || !agent) break;
    // A promise is made on the case after it opened.
    const madeAt = Math.max(step.madeAt, Number(c.opened_at) + MIN);
    if (step.dueAt <= madeAt) continue;
    await createPromise(
      db,
      agent,
      c.id,
      { kind: step.kind, description: step.description, dueAt: step.dueAt },
      madeAt,
    );
    made++;
  }
  return made;
}

/** Open cases with an agent, the ones opened longest ago first (the best for a passed deadline). */
function openAssigned(db: Kysely<DB>, ws: string) {
  return db
    .selectFrom('cases')
    .select(['id', 'assignee_id', 'opened_at'])
    .where('workspace_id', '=', ws)
    .where('status', 'in', ['new', 'open'])
    .where('assignee_id', 'is not', null)
    .orderBy('opened_at')
    .limit(5)
    .execute();
}
