import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import type { Sender } from '../channels/sender.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { markDemo } from '../workspace/workspace.service.js';
import { DEMO_MESSAGE_PREFIX, enableDemoDelivery } from './demo.sender.js';

/** The demo's fake delivery answers for the demo's simulated customers only. */
describe('demo delivery', () => {
  let t: TestApp;
  const caseOf = async (externalId: string) =>
    (
      await t.app.database.db
        .selectFrom('messages')
        .select('case_id')
        .where('external_id', '=', externalId)
        .executeTakeFirstOrThrow()
    ).case_id as string;
  beforeAll(async () => {
    t = await testApp('sqlite');
    const at = new Date().toISOString();
    await ingestStream(
      [
        // As the demo loader ingests the simulator's demo scenario.
        {
          channel: 'sms',
          externalId: `${DEMO_MESSAGE_PREFIX}42-000001`,
          author: { id: '+15550000001' },
          text: 'My bill is wrong again',
          sentAt: at,
          visibility: 'private',
        },
        // Someone who writes to the demo desk for real.
        {
          channel: 'sms',
          externalId: 'SM-real-1',
          author: { id: '+15550000002' },
          text: 'My bill is wrong',
          sentAt: at,
          visibility: 'private',
        },
      ],
      {
        database: t.app.database,
        workspaceId: t.app.workspace.workspaceId,
        pipeline: t.app.pipeline,
      },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('follows the stored demo flag, set by another node after this one started', async () => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    await db.updateTable('workspaces').set({ is_demo: 0 }).where('id', '=', ws).execute();
    // This app (a node that started on a desk that was not the demo yet) is the one delivering.
    const send = t.app.senders.get('sms');
    expect(send).toBeDefined();
    const demoCase = await caseOf(`${DEMO_MESSAGE_PREFIX}42-000001`);
    const msg = smsTo(demoCase, 'm2');
    // Not the demo: the real sender's failure (no SMS number is configured), and not ready (the
    // notifier routes elsewhere).
    await expect(send!(msg, 'k3')).rejects.toThrow('no SMS channel is configured');
    expect(await send!.ready!(msg)).toBe(false);
    // Another node loads the demo: its flag is read when delivering, without a restart.
    await markDemo(db, ws);
    expect(await send!(msg, 'k4')).toEqual({ externalId: 'demo-m2' });
    expect(await send!.ready!(msg)).toBe(true);
  });

  it('simulates sending to a demo customer, and leaves a real customer to the normal failure', async () => {
    await markDemo(t.app.database.db, t.app.workspace.workspaceId);
    const senders = new Map<string, Sender>();
    enableDemoDelivery(senders, t.app.database.db, { workspaceId: t.app.workspace.workspaceId });
    const send = senders.get('sms')!;
    const msg = (caseId: string) => smsTo(caseId, 'm1');
    const demoCase = await caseOf(`${DEMO_MESSAGE_PREFIX}42-000001`);
    expect(await send(msg(demoCase), 'k1')).toEqual({ externalId: 'demo-m1' });
    const realCase = await caseOf('SM-real-1');
    // Nothing on this desk can carry it and waiting changes nothing: failed at once, not
    // retried as `temporary` for the outbox's 24 hours.
    await expect(send(msg(realCase), 'k2')).rejects.toMatchObject({
      kind: 'not_configured',
      message: 'no sender is configured for channel sms',
    });
  });

  it("with no real sender, refuses a real customer's reply before it is queued, not a demo customer's", async () => {
    const db = t.app.database.db;
    await markDemo(db, t.app.workspace.workspaceId);
    const senders = new Map<string, Sender>();
    enableDemoDelivery(senders, db, { workspaceId: t.app.workspace.workspaceId });
    const check = senders.get('sms')!.check!;
    const demoCase = await caseOf(`${DEMO_MESSAGE_PREFIX}42-000001`);
    await expect(check(db, smsTo(demoCase, 'm5'), Date.now())).resolves.toBeUndefined();
    const realCase = await caseOf('SM-real-1');
    await expect(check(db, smsTo(realCase, 'm6'), Date.now())).rejects.toMatchObject({
      kind: 'not_configured',
      refusal: 'not_configured',
      rule: 'no_sender',
    });
  });
});

/** An SMS reply to the customer of `caseId`, as the outbox hands it to a sender. */
function smsTo(caseId: string, messageId: string) {
  return {
    messageId,
    caseId,
    channel: 'sms',
    channelId: null,
    to: '+1555',
    inReplyTo: null,
    visibility: 'private' as const,
    text: 'We are on it',
  };
}
