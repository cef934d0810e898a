import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import type { Sender } from '../channels/sender.js';
import { ingestStream } from '../ingest/ingest-stream.js';
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

  it('simulates sending to a demo customer, and leaves a real customer to the normal failure', async () => {
    const senders = new Map<string, Sender>();
    enableDemoDelivery(senders, t.app.database.db);
    const send = senders.get('sms')!;
    const msg = (caseId: string) => ({
      messageId: 'm1',
      caseId,
      channel: 'sms',
      channelId: null,
      to: '+1555',
      inReplyTo: null,
      visibility: 'private' as const,
      text: 'We are on it',
    });
    const demoCase = await caseOf(`${DEMO_MESSAGE_PREFIX}42-000001`);
    expect(await send(msg(demoCase), 'k1')).toEqual({ externalId: 'demo-m1' });
    const realCase = await caseOf('SM-real-1');
    await expect(send(msg(realCase), 'k2')).rejects.toMatchObject({
      kind: 'temporary',
      message: 'no sender is configured for channel sms',
    });
  });
});
