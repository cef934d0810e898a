import type { BatchState, StageContext } from '../ingest/pipeline/types.js';
import { applySla, type SlaEvent } from './sla.store.js';

/**
 * SLA clocks for the cases a pipeline batch touched, at the messages' event times: a new case
 * starts first-response and resolution; a customer message after our answer starts
 * next-response; the customer answering a pending case resumes its clocks; a reopen continues
 * resolution; an agent message from elsewhere (a replay, an echo) meets the response clocks, and
 * withdraws their breach when it was sent in time but reached the desk after the deadline fired.
 * Imported history (`item.history`) starts and meets none.
 */
export async function planSla(batch: BatchState, ctx: StageContext, workspaceId: string) {
  const events: SlaEvent[] = [];
  const caseInfo = (id: string) => {
    const c = batch.cases.get(id);
    return c ? { priority: c.priority, channel: c.channel } : null;
  };
  for (const e of batch.caseEvents) {
    const info = caseInfo(e.caseId);
    if (!info) continue;
    // A case history opened is resolved past work: no clock starts (a live message reopening it
    // later starts them then).
    if (batch.cases.get(e.caseId)?.history) continue;
    if (e.type === 'created')
      events.push({ caseId: e.caseId, type: 'opened', at: e.eventAt, ...info });
    else if (e.type === 'reopened')
      events.push({ caseId: e.caseId, type: 'reopened', at: e.eventAt, ...info });
    else if (e.type === 'status_changed' && e.data.from === 'pending' && e.data.to === 'open') {
      events.push({ caseId: e.caseId, type: 'resumed', at: e.eventAt, ...info });
    }
  }
  for (const item of batch.items) {
    if (!item.caseId || item.duplicate || item.rejected) continue;
    // History starts, meets and withdraws no clock: it is not work done or waiting now.
    if (item.history) continue;
    // A closing reply ("thanks, works now") asks for no answer: no response clock starts.
    if (item.caseAction === 'acknowledged') continue;
    const info = caseInfo(item.caseId);
    if (!info) continue;
    events.push({
      caseId: item.caseId,
      type: item.direction === 'in' ? 'customer_wrote' : 'agent_replied',
      at: item.sentAt,
      ...info,
    });
  }
  // The brand's stored replies that waited for the post they answer meet its case's clocks now.
  for (const r of batch.adoptedReplies) {
    const info = caseInfo(r.caseId);
    if (info && !batch.cases.get(r.caseId)?.history)
      events.push({ caseId: r.caseId, type: 'agent_replied', at: r.sentAt, ...info });
  }
  const fresh = new Set<string>();
  for (const c of batch.cases.values()) if (c.isNew) fresh.add(c.id);
  await applySla(ctx.trx, workspaceId, events, ctx.now, {
    fresh,
    caps: ctx.caps,
    logger: ctx.logger,
  });
}
