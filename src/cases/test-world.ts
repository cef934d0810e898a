/**
 * Test helpers for the care core's API tests (cases, SLA clocks, promises, routing): messages
 * through the real pipeline, a message's case, the API as the admin, and live events. Not a test
 * file; imported by them.
 */
import { caseIdOf, ingestNow, type TestApp } from '../../test/builders.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

/** A time as the API and inbound messages write it. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** The desk of `app()` as the care core's tests drive it. */
export function careWorld(app: () => TestApp) {
  const db = () => app().app.database.db;

  /** The API as the admin; a write without a body sends `{}`. */
  const api = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) =>
    app().app.http.inject({
      method,
      url,
      headers: app().auth,
      payload: (payload ?? (method === 'GET' || method === 'DELETE' ? undefined : {})) as never,
    });

  /** Messages through the real pipeline, drained. */
  const ingest = (...msgs: InboundMessage[]) => ingestNow(app(), ...msgs);

  /** The case row of the message with this external id. */
  const caseOf = async (externalId: string) =>
    db()
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', await caseIdOf(db(), externalId))
      .executeTakeFirstOrThrow();

  /** Records the live events from now on; `off()` stops. */
  const events = () => {
    const seen: { type: string; data: Record<string, unknown> }[] = [];
    const off = app().app.bus.subscribe((e) => seen.push(e));
    return { seen, off };
  };

  return { db, api, ingest, caseOf, events };
}
