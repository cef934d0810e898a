import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { LATE_BREACH_MS } from '../sla/sla.jobs.js';
import type { ProcessSignal } from './detector/types.js';

/**
 * The process signals of a stored span, oldest first, told as `subscribeProcessSignals`
 * (process.ts) told them live: SLA breaches (the case's queue team) and broken promises (their
 * owner team, else the case's queue team), at the deadline that passed. A detector rebuilt
 * after a restart reads them so that it knows each team's usual rate of breaking clocks:
 * without them every team's baseline starts at nothing, and the first few ordinary breaches
 * after a restart read as a spike.
 *
 */
export async function storedProcessSignals(
  trx: Kysely<DB>,
  ws: string,
  since: number,
  upTo: number,
): Promise<ProcessSignal[]> {
  const breaches = await trx
    .selectFrom('sla_events as e')
    .leftJoin('cases', (j) =>
      j.onRef('cases.id', '=', 'e.case_id').on('cases.workspace_id', '=', ws),
    )
    .leftJoin('queues', 'queues.id', 'cases.queue_id')
    .select([
      'e.case_id',
      'e.clock',
      'e.due_at',
      'e.created_at',
      'cases.customer_id',
      'queues.team_id',
    ])
    .where('e.workspace_id', '=', ws)
    .where('e.kind', '=', 'breached')
    .where('e.due_at', '>=', since)
    .where('e.due_at', '<=', upTo)
    .execute();
  const broken = await trx
    .selectFrom('promises as p')
    .leftJoin('cases', (j) =>
      j.onRef('cases.id', '=', 'p.case_id').on('cases.workspace_id', '=', ws),
    )
    .leftJoin('queues', 'queues.id', 'cases.queue_id')
    .select([
      'p.id',
      'p.case_id',
      'p.due_at',
      'p.owner_team_id',
      'cases.customer_id',
      'queues.team_id',
    ])
    .where('p.workspace_id', '=', ws)
    .where('p.status', '=', 'broken')
    .where('p.due_at', '>=', since)
    .where('p.due_at', '<=', upTo)
    .execute();
  const signals: ProcessSignal[] = [];
  for (const b of breaches) {
    const at = Number(b.due_at);
    signals.push({
      ref: `sla_breach:${b.case_id}:${b.clock}`,
      kind: 'sla_breach',
      teamId: b.team_id ?? 'unassigned',
      at,
      customerId: b.customer_id ?? b.case_id,
      caseId: b.case_id,
      // Found long after it was due (history brought in by import or replay): the live feed
      // marks such a breach late, and it only teaches the rate.
      late: at < Number(b.created_at) - LATE_BREACH_MS,
    });
  }
  for (const p of broken) {
    signals.push({
      ref: `promise_broken:${p.id}`,
      kind: 'promise_broken',
      teamId: p.owner_team_id ?? p.team_id ?? 'unassigned',
      at: Number(p.due_at),
      customerId: p.customer_id ?? p.case_id,
      caseId: p.case_id,
      late: false,
    });
  }
  return signals.sort((a, b) => a.at - b.at);
}

/** Where a message that reopened its resolved case went: a repeat contact if it complains. */
export interface Reopening {
  caseId: string;
  teamId: string;
}

/**
 * The messages of a stored span that reopened a resolved case (`reopened` case events, as the
 * pipeline's thread stage writes them), by `channel\u0000externalId`, with the team of the case's
 * queue. The rebuild tells the complaints among them as repeat contacts, as the live batch does.
 */
export async function storedReopenings(
  trx: Kysely<DB>,
  ws: string,
  since: number,
  upTo: number,
): Promise<Map<string, Reopening>> {
  const rows = await trx
    .selectFrom('case_events as e')
    .leftJoin('cases', (j) =>
      j.onRef('cases.id', '=', 'e.case_id').on('cases.workspace_id', '=', ws),
    )
    .leftJoin('queues', 'queues.id', 'cases.queue_id')
    .select(['e.case_id', 'e.data_json', 'queues.team_id'])
    .where('e.workspace_id', '=', ws)
    .where('e.type', '=', 'reopened')
    .where('e.event_at', '>=', since)
    .where('e.event_at', '<=', upTo)
    .execute();
  const out = new Map<string, Reopening>();
  for (const r of rows) {
    const d = JSON.parse(r.data_json) as { channel?: unknown; externalId?: unknown };
    if (typeof d.channel !== 'string' || typeof d.externalId !== 'string') continue;
    out.set(`${d.channel}\u0000${d.externalId}`, {
      caseId: r.case_id,
      teamId: r.team_id ?? 'unassigned',
    });
  }
  return out;
}
