import { startFake } from '../../src/integrations/testing/fake-server.js';

/** Fake PagerDuty Events API v2: POST /v2/enqueue answers 202 like the real one. */
export function startFakePagerDuty() {
  return startFake((r) =>
    r.method === 'POST' && r.path === '/v2/enqueue'
      ? {
          status: 202,
          body: {
            status: 'success',
            message: 'Event processed',
            dedup_key: (r.body as { dedup_key?: string }).dedup_key,
          },
        }
      : { status: 404 },
  );
}
