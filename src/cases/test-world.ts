/**
 * Test helpers for the care core's API tests (cases, SLA clocks, promises, routing, replies):
 * messages through the real pipeline, a message's case, the API as the admin, live events, and a
 * desk that replies by SMS through a fake Twilio. Not a test file; imported by them.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import {
  aMessage,
  caseFromMessage,
  caseIdOf,
  ingestNow,
  type TestApp,
} from '../../test/builders.js';
import { FakeTwilio } from '../../test/fakes/twilio.js';
import type { Engine } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';

/** A time as the API and inbound messages write it. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** The desk of `app()` as the care core's tests drive it. */
/** An e-mail channel record that can send (nothing listens at its address: a send fails). */
export const TEST_MAILBOX = {
  kind: 'email',
  name: 'Test mailbox',
  config: { host: '127.0.0.1', port: 9, secure: false, from: 'care@desk.example' },
  secrets: {},
};

/** An SMS channel record that can send (nothing listens at its API: a send fails). */
export const TEST_NUMBER = {
  kind: 'sms',
  name: 'Test number',
  config: {
    accountSid: `AC${'0'.repeat(32)}`,
    from: '+14155550100',
    apiBaseUrl: 'http://127.0.0.1:9',
  },
  secrets: { authToken: 'test-token' },
};

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

  /** A message through the real pipeline; returns the id of the case it opened or joined. */
  const openCase = (m: InboundMessage) => caseFromMessage(app(), m);

  /** The customer and case of the stored message with this external id. */
  const idsOf = (externalId: string) =>
    db()
      .selectFrom('messages')
      .select(['customer_id', 'case_id'])
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();

  /** Records the live events from now on; `off()` stops. */
  const events = () => {
    const seen: { type: string; data: Record<string, unknown> }[] = [];
    const off = app().app.bus.subscribe((e) => seen.push(e));
    return { seen, off };
  };

  /**
   * Registers (in beforeAll) an e-mail and an SMS channel record that can send, for suites whose
   * replies on those kinds are about something else: with no record, such a reply is refused up
   * front (422 `not_configured`). Nothing listens at their addresses: a drained send fails.
   */
  const sendingChannels = () =>
    beforeAll(async () => {
      for (const payload of [TEST_MAILBOX, TEST_NUMBER]) {
        const res = await api('POST', '/api/v1/channels', payload);
        expect(res.statusCode, res.body).toBe(201);
      }
    });

  return { db, api, ingest, caseOf, openCase, idsOf, events, sendingChannels };
}

/**
 * A fresh desk of `engine` (made in beforeAll, closed in afterAll) with an SMS channel on a fake
 * Twilio, and what the reply tests do on it: SMS cases (customers' numbers counted from
 * `firstPhone`), replies, follow-up promises, and reads of the case, its clocks and promises.
 */
export function smsReplyWorld(engine: Engine, firstPhone: number) {
  const t = suiteApp(engine);
  let twilio: FakeTwilio;
  let channel: { id: string; webhookUrl: string };
  const w = careWorld(() => t);
  beforeAll(async () => {
    twilio = await new FakeTwilio().start();
    const res = await w.api('POST', '/api/v1/channels', twilio.channelPayload('+14155550100'));
    expect(res.statusCode, res.body).toBe(201);
    channel = res.json();
  });
  afterAll(async () => {
    await twilio?.close();
  });
  let phone = firstPhone;

  return {
    t,
    get twilio() {
      return twilio;
    },
    get channel() {
      return channel;
    },
    db: w.db,
    api: w.api,
    /** An SMS case opened by a message sent `ago` ms before now. */
    async smsCase(ago = 60_000) {
      const m = aMessage({
        channel: 'sms',
        visibility: 'private',
        author: { id: `+1415555${String(phone++).padStart(4, '0')}` },
        sentAt: iso(Date.now() - ago),
      });
      await w.ingest(m);
      return caseIdOf(w.db(), m.externalId);
    },
    /** An open follow-up promise on the case, due in `dueIn` ms; returns its id. */
    async followUp(caseId: string, dueIn = 5 * 3_600_000) {
      const p = await w.api('POST', `/api/v1/cases/${caseId}/promises`, {
        kind: 'follow_up',
        description: 'Text when the engineer is booked',
        dueAt: iso(Date.now() + dueIn),
      });
      expect(p.statusCode, p.body).toBe(201);
      return p.json().id as string;
    },
    /** An agent's reply on the case (created); returns it. */
    async reply(caseId: string, text: string) {
      const r = await w.api('POST', `/api/v1/cases/${caseId}/replies`, { text });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as { id: string; sentAt: string };
    },
    /** The promise as the promises list shows it. */
    promise: async (id: string) =>
      (await w.api('GET', '/api/v1/promises?status=open,kept,broken'))
        .json()
        .items.find((p: { id: string }) => p.id === id),
    view: async (caseId: string) => (await w.api('GET', `/api/v1/cases/${caseId}`)).json(),
    sla: async (caseId: string) => (await w.api('GET', `/api/v1/cases/${caseId}/sla`)).json(),
    /** Runs the outbox until nothing is due. */
    async drainOutbox() {
      while ((await t.app.outbox.runOnce()) > 0) {}
    },
  };
}
