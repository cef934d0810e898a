import { describe, expect, it } from 'vitest';
import { classify } from './index.js';

// data/triage/templates/threats.txt and the urgency features (features.ts): a threat to leave or
// to go to a regulator or a lawyer is a complaint; a plain request to cancel is not. The texts
// below are not in the templates (wordings the model had to reach through the urgency rules).
describe('threats', () => {
  it('reads threats to leave, to sue or to report as complaints', () => {
    for (const text of [
      '@comcastcares I am done with this company. Closing my account today.',
      '@VerizonSupport porting my number out tomorrow, you lost me',
      '@XfinitySupport lawsuit incoming if my bill is not fixed',
      '@ATTHelp filed a complaint with the FCC today',
    ]) {
      const r = classify({ text });
      expect(r.complaint, text).toBe(true);
      expect(r.urgency.some((u) => u === 'churn' || u === 'legal')).toBe(true);
    }
  });

  it('leaves a plain question about cancelling alone, with its churn signal', () => {
    const r = classify({ text: '@sprintcare how do I cancel my account? moving to Spain' });
    expect(r.complaint).toBe(false);
  });
});
