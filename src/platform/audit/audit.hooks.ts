import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { audit, requestActor } from './audit.js';

/**
 * Sensitive configuration changes, audited by route and method from one table here rather than by a
 * call in each feature's route file: the list of what is audited can be read in one place, and a new
 * route under an audited prefix is covered by `PREFIXES`, so an added SLA or integration route is
 * not silently missed. Users, tokens and erasure audit in their own services, where the entry
 * needs more than the request (the target's previous role, the counts erased).
 */
const ROUTES: Record<string, string> = {
  'POST /api/v1/integrations': 'integration.created',
  'PATCH /api/v1/integrations/:id': 'integration.updated',
  'DELETE /api/v1/integrations/:id': 'integration.deleted',
  'PUT /api/v1/agents/:id': 'agent.updated',
  // Teams own problems and routing; a lead answers for the team's problems.
  'POST /api/v1/teams': 'team.created',
  'PATCH /api/v1/teams/:id': 'team.updated',
  'POST /api/v1/queues': 'queue.created',
  'PATCH /api/v1/queues/:id': 'queue.updated',
  'POST /api/v1/routing-rules': 'routing_rule.created',
  'PATCH /api/v1/routing-rules/:id': 'routing_rule.updated',
  'DELETE /api/v1/routing-rules/:id': 'routing_rule.deleted',
  'POST /api/v1/sla/calendars': 'sla_calendar.created',
  // Macros act on every case they are applied to (replies in the brand's name, status changes).
  'POST /api/v1/macros': 'macro.created',
  'DELETE /api/v1/macros/:id': 'macro.deleted',
  'POST /api/v1/sla/policies': 'sla_policy.created',
  // What customers are told of problems (templates, auto-acknowledge), when their cases resolve
  // and which team owns a problem.
  'PATCH /api/v1/problem-settings': 'problem_settings.updated',
};

/** Any other changing route under these is audited too, as `<area>.<method>` (e.g. `sla.patch`). */
const PREFIXES: { prefix: string; area: string }[] = [
  { prefix: '/api/v1/sla/', area: 'sla' },
  { prefix: '/api/v1/integrations', area: 'integration' },
];

/** Routes under an audited prefix that are not configuration changes (signed status callbacks). */
const SKIP = new Set([
  'POST /api/v1/integrations/:id/jira-webhook',
  'POST /api/v1/integrations/:id/pagerduty-webhook',
]);

export function auditedAction(method: string, url: string): string | null {
  const key = `${method} ${url}`;
  if (SKIP.has(key)) return null;
  if (ROUTES[key]) return ROUTES[key];
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return null;
  const p = PREFIXES.find((x) => url.startsWith(x.prefix));
  return p ? `${p.area}.${method.toLowerCase()}` : null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What an entry says about a request body: the names of the fields it set, not their values
 * (secrets, URLs with credentials, texts), but for the few that say what the change was: a
 * kind, role, enabled flag, availability, name (of a team, queue, target) and a team's lead.
 * `secrets` and `config` are listed by their keys, so "the Jira API token was replaced" is
 * readable without the token.
 */
export function describeBody(body: unknown): Record<string, unknown> {
  if (!isObject(body)) return {};
  const out: Record<string, unknown> = { fields: Object.keys(body).sort() };
  if (isObject(body.secrets)) out.secretsReplaced = Object.keys(body.secrets).sort();
  if (isObject(body.config)) out.configFields = Object.keys(body.config).sort();
  for (const k of ['kind', 'role', 'enabled', 'availability', 'name'] as const)
    if (typeof body[k] === 'string' || typeof body[k] === 'boolean') out[k] = body[k];
  // Who was made a team's lead (who may then change its problems), or that no one is.
  if (typeof body.leadUserId === 'string' || body.leadUserId === null)
    out.leadUserId = body.leadUserId;
  return out;
}

function createdId(payload: unknown): string | null {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return null;
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/**
 * An `onSend` hook: after a successful audited change, and before the answer goes out, the entry
 * is written (a client that saw success can rely on it being logged).
 */
export function auditHook(db: Kysely<DB>, clock: () => number) {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode >= 400 || !req.actor) return payload;
    const url = req.routeOptions.url;
    if (!url) return payload;
    const action = auditedAction(req.method, url);
    if (!action) return payload;
    const params = (req.params ?? {}) as Record<string, string>;
    await audit(db, {
      workspaceId: req.actor.workspaceId,
      actor: requestActor(req.actor),
      action,
      target: params.id ?? createdId(payload),
      data: describeBody(req.body),
      at: clock(),
    });
    return payload;
  };
}
