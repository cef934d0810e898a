import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { austinOutage, MIN, raises } from './test-fixtures.js';

/*
 * QA: a callback promise that broke on a case of "outage — San Francisco" moved the case into
 * the team's process problem, and its customer never heard of the outage's fix. A process signal
 * is no complaint: a case another live problem holds stays there.
 */
describe('problem detector: process signals on cases another problem holds', () => {
  it('raise and link the team’s other cases, and leave the outage’s where they are', () => {
    const { det, out, start } = austinOutage();
    const outage = raises(out).find((r) => r.topic === 'outage');
    expect(outage).toBeDefined();
    // A burst of broken promises for one team; three on cases of the outage.
    const ds: Decision[] = [];
    for (let i = 0; i < 24; i++) {
      const onOutage = i % 4 === 0 && i < 12;
      ds.push(
        ...det.observeProcess({
          ref: `promise-${i}`,
          kind: 'promise_broken',
          teamId: 'devices',
          at: start + 20 * MIN + i * 3 * MIN,
          customerId: onOutage ? `au-${i}` : `cust-${i}`,
          caseId: onOutage ? `case-au-${i}` : `case-cust-${i}`,
        }),
      );
    }
    const proc = raises(ds).find((r) => r.kind === 'process');
    expect(proc?.teamId).toBe('devices');
    const linked = ds.flatMap((d) =>
      d.type === 'link' && d.problemId === proc?.problemId ? [d.member.caseId] : [],
    );
    expect(linked.filter((c) => c?.startsWith('case-cust-')).length).toBeGreaterThanOrEqual(12);
    expect(linked.filter((c) => c?.startsWith('case-au-'))).toEqual([]);
  });
});
