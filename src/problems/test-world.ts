/**
 * Test helpers for the problems module's API tests (people shaping problems, fixes, owner
 * teams, lock order): cases made by the real pipeline, automatic problems stored as the
 * detector stores them, and reads of what followed. Not a test file; imported by them.
 */
import { expect } from 'vitest';
import { aMessage, asAdmin, type TestApp } from '../../test/builders.js';
import { appendInbound } from '../ingest/inbound.log.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { applyDecisions, type OpenProblemRow } from './apply-decisions.js';
import type { Decision } from './detector/detector.js';
import { DEFAULT_PROBLEM_SETTINGS } from './problem.settings.js';
import { insertLinks, insertProblem, type NewProblem, signatureOf } from './problem.store.js';

/**
 * A signed-webhook escalation target (to a closed port: nothing is delivered), so the outbox
 * shows what the owning team's tools would hear.
 */
export async function addWebhookTarget(t: TestApp) {
  const res = await asAdmin(t, 'POST', '/api/v1/integrations', {
    kind: 'webhook',
    name: 'ops',
    config: { url: 'http://127.0.0.1:9/hooks' },
    secrets: { secret: 'whsec-0123456789abcdef' },
  });
  expect(res.statusCode, res.body).toBe(201);
}

/**
 * A problem for `insertProblem`, detected at `at`: an automatic outage nobody has acted on, with
 * no area, owner or baseline. Tests set only what they are about.
 */
export const aProblem = (at: number, over: Partial<NewProblem> = {}): NewProblem => ({
  kind: 'area',
  status: 'suspected',
  title: 'Outage',
  topic: 'outage',
  area: null,
  areaKey: null,
  signature: { keys: [], terms: [], teamId: null, human: false },
  owner: null,
  baseline: null,
  detectedAt: at,
  firstEventAt: at,
  ...over,
});

/** PATCHes the workspace's problem settings as the admin; the answer, for the test to judge. */
export const patchProblemSettings = (t: Pick<TestApp, 'app' | 'auth'>, payload: unknown) =>
  asAdmin(t, 'PATCH', '/api/v1/problem-settings', payload);

/** A customer's SMS (private, from the phone number `author`) sent at `at`. */
export const smsFrom = (author: string, text: string, at: number): InboundMessage =>
  aMessage({
    channel: 'sms',
    visibility: 'private',
    author: { id: author },
    text,
    sentAt: new Date(at).toISOString(),
  });

export function problemsWorld(app: () => TestApp) {
  const db = () => app().app.database.db;
  const ws = () => app().app.workspace.workspaceId;
  let n = 0;

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app().app.http.inject({ method, url, headers: app().auth, payload: payload as never });

  /** Sends the messages through the real pipeline; returns each one's case and customer. */
  async function ingest(ms: InboundMessage[]) {
    await appendInbound(db(), ws(), ms, Date.now());
    await app().app.pipeline.drain();
    const rows = await db()
      .selectFrom('messages')
      .select(['external_id', 'case_id', 'customer_id'])
      .where(
        'external_id',
        'in',
        ms.map((m) => m.externalId),
      )
      .execute();
    return ms.map((m) => rows.find((r) => r.external_id === m.externalId)!);
  }

  /** New cases, one per new customer. */
  const cases = (k: number) =>
    ingest(
      Array.from({ length: k }, () =>
        aMessage({ text: 'no signal at all in Austin today', author: { id: `world-${++n}` } }),
      ),
    );

  /** An automatic problem as the detector stores one (or one a person acted on), cases linked. */
  async function autoProblem(
    linked: { case_id: string | null; customer_id: string | null }[],
    { human = false } = {},
  ) {
    const at = Date.now() - 3_600_000;
    const row = await insertProblem(
      db(),
      ws(),
      aProblem(at, {
        title: 'network — Austin',
        topic: 'network',
        area: { postalCode: null, city: 'Austin', region: 'TX', country: 'US' },
        areaKey: 't:US:TX:austin',
        signature: { keys: ['network@t:US:TX:austin'], terms: [], teamId: null, human },
        owner: 'Network operations',
      }),
      at,
    );
    await insertLinks(
      db(),
      ws(),
      linked.map((c) => ({
        problemId: row.id,
        caseId: c.case_id!,
        customerId: c.customer_id!,
        source: 'auto' as const,
        linkedAt: at,
      })),
      at,
    );
    return row.id;
  }

  /** The customers' SMS complaints `ago` before now, linked to a problem that is then fixed. */
  async function fixedSms(authors: string[], ago: number, silent: boolean) {
    const cs = await ingest(
      authors.map((a) => smsFrom(a, 'no signal at all in Austin today', Date.now() - ago)),
    );
    const id = await autoProblem(cs);
    expect((await setStatus(id, { status: 'fixed', silent })).statusCode).toBe(200);
    const fixedAt = Number((await problem(id)).fixed_at);
    return { cs, id, fixedAt };
  }

  const problem = (id: string) =>
    db().selectFrom('problems').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const human = async (id: string) => signatureOf(await problem(id)).human;
  /** Escalation events queued for the problem, in order. */
  const escalations = async (id: string) =>
    (
      await db()
        .selectFrom('outbox')
        .select(['payload_json'])
        .where('kind', '=', 'problem_escalate')
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    )
      .map((r) => JSON.parse(r.payload_json) as { problemId: string; event: string })
      .filter((p) => p.problemId === id)
      .map((p) => p.event);
  const activeCases = async (id: string) =>
    (
      await db()
        .selectFrom('problem_links')
        .select('case_id')
        .where('problem_id', '=', id)
        .where('unlinked_at', 'is', null)
        .execute()
    )
      .map((r) => r.case_id)
      .sort();
  /** Each case's status, by id. */
  const caseRows = (ids: (string | null)[]) =>
    db()
      .selectFrom('cases')
      .select(['id', 'status'])
      .where(
        'id',
        'in',
        ids.map((i) => i!),
      )
      .execute()
      .then((rs) => Object.fromEntries(rs.map((r) => [r.id, r.status])));
  const setStatus = (id: string, body: Record<string, unknown>) =>
    api('POST', `/api/v1/problems/${id}/status`, { silent: true, ...body });
  const next = () => ++n;
  /** The detector's decision to link the case's complaint (arrival) to a problem. */
  const linkTo = (problemId: string, c: { case_id: string | null; customer_id: string | null }) =>
    ({
      type: 'link',
      problemId,
      reason: 'arrival',
      member: {
        ref: `ref-${c.case_id}-${++n}`,
        caseId: c.case_id,
        customerId: c.customer_id!,
        at: Date.now() - 1000,
        topic: 'network',
      },
    }) as const;
  /** The problems as the runtime holds them open before deciding. */
  const openRows = async (...ids: string[]) =>
    new Map(
      (await db().selectFrom('problems').selectAll().where('id', 'in', ids).execute()).map((r) => [
        r.id,
        r as unknown as OpenProblemRow,
      ]),
    );
  /** Stores detector decisions as the pipeline does, in one transaction, at `now` (wall time). */
  const decide = (
    now: number,
    decisions: Decision[],
    open = new Map<string, OpenProblemRow>(),
    /** Case → the open problem holding it, as the runtime reads it before deciding. */
    linked = new Map<string, string>(),
    /** Collects the case history entries the pipeline would write with the batch. */
    caseEvents: { caseId: string; type: string; data: Record<string, unknown> }[] = [],
  ) =>
    db()
      .transaction()
      .execute((trx) =>
        applyDecisions(
          trx,
          ws(),
          now,
          caseEvents as never,
          decisions,
          linked,
          open,
          DEFAULT_PROBLEM_SETTINGS,
          new Set(),
        ),
      );

  return {
    db,
    ws,
    api,
    ingest,
    cases,
    autoProblem,
    fixedSms,
    problem,
    human,
    escalations,
    activeCases,
    caseRows,
    setStatus,
    next,
    decide,
    linkTo,
    openRows,
  };
}
