import { appendInbound } from '../ingest/inbound.log.js';
import { inboundNulProblem } from '../ingest/inbound.nul.js';
import { believableTimes } from '../ingest/inbound.time.js';
import { findNul } from '../platform/http/nul-guard.js';
import { linkEchoes } from './channel.echo.js';
import { applyPendingEdits, type Edit, editTargetKnown, recordEdits } from './channel.edits.js';
import { fitMessage } from './channel.fit.js';
import { applyPendingMarks, applyWatermark, recordMarks } from './channel.marks.js';
import type { ParsedDelivery, ParsedMessage } from './channel.parsed.js';
import { recordEvent } from './channel.state.js';
import type { ChannelDeps } from './routes.js';

/** Per-app memory of the last health write and mark sweep, keyed by the app's deps object. */
const lastWrites = new WeakMap<ChannelDeps, Map<string, number>>();
const HEALTH_EVERY_MS = 1000;
const SWEEP_EVERY_MS = 2000;

/** True at most once per `everyMs` for this app and key (keeps a storm from rewriting one row). */
function due(deps: ChannelDeps, key: string, now: number, everyMs: number): boolean {
  let m = lastWrites.get(deps);
  if (!m) {
    m = new Map();
    lastWrites.set(deps, m);
  }
  const last = m.get(key);
  if (last !== undefined && now - last < everyMs && now >= last) return false;
  m.set(key, now);
  return true;
}

export interface IngestSummary {
  accepted: number;
  duplicates: number;
  marks: number;
  ignored: number;
}

/**
 * Makes a verified delivery durable: messages into the inbound log (idempotent per channel and
 * external id), deletions and receipts into the marks table. The webhook answers only after this
 * resolved, so a provider that sees an error re-delivers and nothing is lost.
 */
export async function ingestDelivery(
  deps: ChannelDeps,
  channelId: string,
  delivery: ParsedDelivery,
): Promise<IngestSummary> {
  const checked = withoutNulIds(delivery);
  const { edits, extra } = await sortEdits(deps, checked);
  const parsed = { ...checked, messages: [...checked.messages, ...extra].map(fitMessage) };
  const now = deps.clock();
  await linkEchoes(deps.db, deps.workspaceId, parsed.messages);
  const timed = believableTimes(
    parsed.messages.map((p) => p.message),
    now,
  );
  // A provider's clock gone wrong (an unset one says 1970) must not lose the message nor date it
  // decades off: it is dated on arrival, and the log says which and why.
  if (timed.retimed.length) {
    deps.log?.warn(
      { channelId, retimed: timed.retimed },
      'channel delivery: times not believed, dated on arrival',
    );
  }
  const appended = await appendInbound(deps.db, deps.workspaceId, timed.messages, now);
  if (parsed.marks.length) await recordMarks(deps.db, deps.workspaceId, parsed.marks, now, deps);
  if (edits.length) await recordEdits(deps.db, deps.workspaceId, edits, now, deps.classify);
  // Marks and edits that overtook their message are swept now and then (and by the channel
  // timer); a delivery that carries some applies only its own.
  if (!parsed.marks.length && !edits.length && due(deps, 'sweep', now, SWEEP_EVERY_MS)) {
    await applyPendingMarks(deps.db, deps.workspaceId, now, undefined, deps);
    await applyPendingEdits(deps.db, deps.workspaceId, now, deps.classify);
  }
  for (const w of parsed.watermarks) {
    await applyWatermark(deps.db, deps.workspaceId, { ...w, channelId });
  }
  if (due(deps, `event:${channelId}`, now, HEALTH_EVERY_MS)) {
    await recordEvent(deps.db, deps.workspaceId, channelId, now);
  }
  if (appended.accepted > 0) deps.onAppended();
  return {
    accepted: appended.accepted,
    duplicates: appended.duplicates,
    marks: parsed.marks.length + parsed.watermarks.length + edits.length,
    ignored: parsed.ignored.length,
  };
}

/**
 * Edits whose message is known (stored, logged, or earlier in this delivery) stay edits; an edit
 * of a message we never received is taken as the message it now is.
 */
async function sortEdits(
  deps: ChannelDeps,
  d: ParsedDelivery,
): Promise<{ edits: Edit[]; extra: ParsedMessage[] }> {
  const edits: Edit[] = [];
  const extra: ParsedMessage[] = [];
  for (const { edit, asMessage } of d.edits) {
    const here = d.messages.some(
      (p) => p.message.channel === edit.channel && edit.priorIds.includes(p.message.externalId),
    );
    if (here || (await editTargetKnown(deps.db, deps.workspaceId, edit.channel, edit.priorIds)))
      edits.push(edit);
    else extra.push(asMessage);
  }
  return { edits, extra };
}

/**
 * The delivery without the parts whose identifiers hold a NUL character (U+0000), each moved to
 * `ignored` with its reason: PostgreSQL cannot store one, and a rewritten id could name another
 * customer or message (src/ingest/inbound.nul.ts). The rest of the delivery is taken and the
 * provider gets its 200, so it does not re-deliver a payload that will never change. Text with a
 * NUL is kept: the inbound log stores it as U+FFFD.
 */
function withoutNulIds(d: ParsedDelivery): ParsedDelivery {
  // Pushed onto the delivery's own list, which its webhook route logs after ingesting.
  const { ignored } = d;
  const before = ignored.length;
  const refuse = (what: string, reason: string) => {
    ignored.push({ what, reason });
    return false;
  };
  const messages = d.messages.filter((p) => {
    const problem =
      inboundNulProblem(p.message) ??
      (p.counterpart?.includes('\u0000')
        ? 'counterpart: NUL characters are not allowed'
        : undefined);
    return problem ? refuse(`message ${JSON.stringify(p.message.externalId)}`, problem) : true;
  });
  const marks = d.marks.filter(
    (m) => !findNul(m) || refuse(`${m.kind} mark`, 'NUL characters are not allowed in identifiers'),
  );
  const watermarks = d.watermarks.filter(
    (w) => !findNul(w) || refuse(`${w.kind} watermark`, 'NUL characters are not allowed'),
  );
  const edits = d.edits.filter(
    ({ edit: e }) =>
      !findNul([e.key, e.newExternalId ?? '', ...e.priorIds]) ||
      refuse('edit', 'NUL characters are not allowed in identifiers'),
  );
  if (ignored.length === before) return d;
  return { messages, marks, watermarks, edits, ignored };
}
