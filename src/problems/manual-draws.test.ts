import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld, smsFrom } from './test-world.js';

/**
 * Issue 6, QA: a problem an agent made by hand for a topic and a place is that trouble's
 * problem. The complaints that follow join it, through the real pipeline and detector, and the
 * detector opens no second problem beside it (it did: a "network — Chicago" problem of 12
 * customers beside the agent's of 1).
 */
describe.each(ENGINES)('a problem made by hand draws its trouble on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, cases, ingest } = problemsWorld(() => t);

  it('links the complaints of its topic and place that follow, and no problem is raised', async () => {
    const [first] = await cases(1);
    const made = await api('POST', '/api/v1/problems', {
      caseId: first.case_id,
      title: 'Cell tower down in Austin',
      topic: 'network',
      area: { city: 'Austin', region: 'TX' },
    });
    expect(made.statusCode, made.body).toBe(201);
    const p = made.json();
    const now = Date.now();
    const burst = await ingest(
      Array.from({ length: 14 }, (_, i) =>
        smsFrom(
          `+1512555${String(7000 + i)}`,
          `No signal at all in Austin TX since this morning, ${i}`,
          now - (14 - i) * 60_000,
        ),
      ),
    );
    const links = await db()
      .selectFrom('problem_links')
      .select(['problem_id', 'case_id'])
      .where(
        'case_id',
        'in',
        burst.map((c) => c.case_id!),
      )
      .where('unlinked_at', 'is', null)
      .execute();
    expect(new Set(links.map((l) => l.problem_id))).toEqual(new Set([p.id]));
    expect(links.length).toBeGreaterThanOrEqual(10);
    const all = (await api('GET', '/api/v1/problems')).json().items as { id: string }[];
    expect(all.map((x) => x.id)).toEqual([p.id]);
  });
});
