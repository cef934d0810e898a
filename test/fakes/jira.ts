import { startFake } from '../../src/integrations/testing/fake-server.js';

/** Fake Jira Cloud: POST /rest/api/3/issue creates PROB-1…, POST …/comment accepts comments. */
export function startFakeJira() {
  let n = 0;
  return startFake((r) => {
    if (r.method === 'POST' && r.path === '/rest/api/3/issue') {
      n++;
      return {
        status: 201,
        body: { id: String(10000 + n), key: `PROB-${n}`, self: `/rest/api/3/issue/${10000 + n}` },
      };
    }
    if (r.method === 'POST' && /^\/rest\/api\/3\/issue\/[A-Z]+-\d+\/comment$/.test(r.path))
      return { status: 201, body: { id: '1' } };
    return { status: 404, body: { errorMessages: ['not found'] } };
  });
}
