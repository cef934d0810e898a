import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/logging.js';
import { closeWorldsAfterEach, fakes, world } from './testing/escalation-world.js';
import { startFake } from './testing/fake-server.js';

/**
 * A receiver's error body can echo what it was sent: the problem's title, made of customers'
 * words. The README promises logs carry no message bodies unless THROUGHLINE_LOG_BODIES is set,
 * so the outbox's log line carries the status and the error's kind, not the body; the stored
 * error, which admins read in GET /api/v1/integrations, keeps it.
 */
closeWorldsAfterEach();

const TITLE = 'No internet at 12 Elm Street since my router died';

function captured() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('warn', { destination: stream }) };
}

async function failOnce(logBodies: boolean) {
  const { lines, logger } = captured();
  const w = await world('sqlite', { config: { logBodies }, logger });
  const hook = await startFake((r) => ({
    status: 400,
    body: { error: 'rejected', echo: (r.body as { problem: { title: string } }).problem.title },
  }));
  fakes.push(hook);
  await w.add('webhook', { url: `${hook.url}/hook` }, { secret: 'webhook-secret-0123456789' });
  await w.problem(TITLE);
  await w.drain();
  const [row] = await w.escalations();
  const failed = lines
    .map((l) => JSON.parse(l) as { msg: string; error?: string; status?: number })
    .filter((l) => l.msg === 'outbox delivery failed');
  return { row, failed, all: lines.join('\n') };
}

describe('an escalation refused with a body that echoes the title', () => {
  it('logs the status and kind, not the body; the stored error keeps it', async () => {
    const { row, failed, all } = await failOnce(false);
    expect(row.status).toBe('failed');
    expect(row.last_error).toContain(TITLE);
    expect(failed.length).toBe(1);
    expect(failed[0]).toMatchObject({ status: 400, error: 'bad_request: rejected 400' });
    expect(all).not.toContain('Elm Street');
  });

  it('logs the body too with THROUGHLINE_LOG_BODIES', async () => {
    const { failed } = await failOnce(true);
    expect(failed.length).toBe(1);
    expect(failed[0].error).toContain(TITLE);
  });
});
