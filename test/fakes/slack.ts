import { startFake } from '../../src/integrations/testing/fake-server.js';

/** Fake Slack incoming webhook: POST /services/… answers 200 "ok". */
export function startFakeSlack() {
  return startFake((r) =>
    r.method === 'POST' && r.path.startsWith('/services/')
      ? { status: 200, body: 'ok' }
      : { status: 404 },
  );
}
