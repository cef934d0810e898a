import { describe, expect, it } from 'vitest';
import { aMessage, asAdmin } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { appendInbound } from '../ingest/inbound.log.js';

describe.each(ENGINES)('customer attributes on %s', (engine) => {
  const t = suiteApp(engine);

  it('hold at most 16 KB of JSON, refused with a 400 that says so', async () => {
    const m = aMessage();
    await appendInbound(t.app.database.db, t.app.workspace.workspaceId, [m], Date.now());
    await t.app.pipeline.drain();
    const { customer_id: id } = await t.app.database.db
      .selectFrom('messages')
      .select('customer_id')
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    const patch = (attributes: Record<string, unknown>) =>
      asAdmin(t, 'PATCH', `/api/v1/customers/${id}`, { attributes });
    const big = await patch({ notes: 'x'.repeat(900_000) });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.message).toMatch(/at most 16384 bytes/);
    // Counted in bytes: 6,000 three-byte characters are over, though 6,000 characters.
    expect((await patch({ notes: '€'.repeat(6_000) })).statusCode).toBe(400);
    const fits = await patch({ tier: 'business', notes: 'x'.repeat(16_000) });
    expect(fits.statusCode, fits.body).toBe(200);
    expect(fits.json().attributes.tier).toBe('business');
  });
});
