import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { type CompiledRule, matches } from '../routing/rules.js';
import type { TriageResult } from '../triage/index.js';
import { ownerFor } from './owner-rules.js';
import { teamIdNamed } from './owner-teams.js';
import type { ProblemSettings } from './problem.settings.js';
import type { ProblemArea } from './problem.store.js';

/**
 * Who owns a problem: the team of the queue that the workspace's routing rules choose for a
 * complaint of the problem's topic in its area (the same rules that route its cases), else
 * the problem settings' owner rules (a name, for workspaces without teams), else nobody. A
 * process problem is owned by the team whose promises or SLAs broke.
 */
export async function resolveOwner(
  trx: Kysely<DB>,
  ws: string,
  settings: ProblemSettings,
  p: {
    topic: string | null;
    area: ProblemArea | null;
    areaKey: string | null;
    teamId: string | null;
  },
): Promise<{ teamId: string | null; name: string | null }> {
  if (p.teamId) {
    const team = await trx
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('workspace_id', '=', ws)
      .where('id', '=', p.teamId)
      .executeTakeFirst();
    return { teamId: team?.id ?? null, name: team?.name ?? p.teamId };
  }
  if (p.topic) {
    const rules = await trx
      .selectFrom('routing_rules')
      .select(['id', 'queue_id', 'conditions_json'])
      .where('workspace_id', '=', ws)
      .where('enabled', '=', 1)
      .orderBy('position')
      .execute();
    const compiled: CompiledRule[] = rules.map((r) => ({
      id: r.id,
      queueId: r.queue_id,
      conditions: JSON.parse(r.conditions_json),
    }));
    const triage = {
      topic: p.topic,
      complaint: true,
      urgency: [],
      language: 'und',
      area: p.area ? { ...p.area, confidence: 1 } : null,
    } as unknown as TriageResult;
    for (const r of compiled) {
      // A rule that needs a channel, language or customer attribute is about cases, not causes.
      const c = r.conditions;
      if (c.channel?.length || c.language?.length || c.customer) continue;
      if (!matches(c, { channel: '', language: null, triage, customerAttributes: {} })) continue;
      const team = await trx
        .selectFrom('queues')
        .innerJoin('teams', 'teams.id', 'queues.team_id')
        .select(['teams.id', 'teams.name'])
        .where('queues.id', '=', r.queueId)
        .executeTakeFirst();
      if (team) return { teamId: team.id, name: team.name };
      break;
    }
  }
  // The rule names a team; its row (if there is one) is what limits who may change the problem.
  const name = ownerFor(settings, p.topic, p.area, p.areaKey);
  return { teamId: await teamIdNamed(trx, ws, name), name };
}
