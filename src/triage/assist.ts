/**
 * What the optional LLM is used for: a second opinion when the offline model is unsure, and a
 * drafted reply for an agent. Both are best-effort: any LLM failure (off, timeout, bad JSON,
 * unknown topic) yields the offline answer, tagged with why, so nothing ever depends on the LLM.
 * Personal data found by findPii is masked before any text leaves the process.
 */
import type { EmbeddedTopics, TopicExample } from './embed-topic.js';
import type { LlmClient } from './llm.js';
import { findPii } from './pii.js';
import { TOPICS, type Topic, type TriageResult } from './types.js';

/** Complaint scores this close to the threshold, or a top topic below TOPIC_SURE, count as unsure. */
const COMPLAINT_MARGIN = 0.2;
const TOPIC_SURE = 0.5;

/** The offline model's own answer, kept beside one the LLM decided. */
export type OfflineAnswer = Pick<
  TriageResult,
  'complaint' | 'complaintScore' | 'topic' | 'topicScores'
>;

export interface Assisted extends TriageResult {
  /**
   * "offline" when the LLM was not asked or failed; "llm" when the chat model changed or confirmed
   * fields; "embedding" when only the nearest example's topic did (embed-topic.ts).
   */
  source: 'offline' | 'llm' | 'embedding';
  /** Why the LLM was not used or failed (off, sure, timeout, bad_response...). */
  note?: string;
  /** With source "llm": the offline model's labels and scores, as they were before the LLM's. */
  offline?: OfflineAnswer;
}

export function isUnsure(r: TriageResult, threshold: number): boolean {
  const topTopic = Math.max(...Object.values(r.topicScores));
  return Math.abs(r.complaintScore - threshold) < COMPLAINT_MARGIN || topTopic < TOPIC_SURE;
}

/** Replaces personal data with its kind, e.g. "[card]", before text is sent out. */
export function maskPii(text: string): string {
  let out = text;
  for (const span of [...findPii(text)].sort((a, b) => b.start - a.start)) {
    out = `${out.slice(0, span.start)}[${span.kind}]${out.slice(span.end)}`;
  }
  return out;
}

const CLASSIFY_PROMPT = `You label customer-care messages. Answer with JSON only:
{"complaint": true|false, "topic": one of ${TOPICS.map((t) => `"${t}"`).join(', ')}}.
complaint: the author reports a problem or expresses dissatisfaction with a company's product or service.
topics: network (signal, speed, coverage), outage (service down), billing (charges, refunds, payments),
account (login, plan changes, personal details), device (phones, routers, hardware), service
(customer service, staff, appointments), delivery (orders, shipping, installation), praise, other.`;

/** Embeddings' opinion on an unsure topic: the examples, and the installation's corrections. */
export interface EmbeddingAssist {
  topics: EmbeddedTopics;
  corrections: () => Promise<TopicExample[]>;
}

export async function assistClassify(
  offline: TriageResult,
  text: string,
  threshold: number,
  llm: LlmClient | null,
  embedding: EmbeddingAssist | null = null,
): Promise<Assisted> {
  if (!llm) return { ...offline, source: 'offline', note: 'llm off' };
  if (!isUnsure(offline, threshold)) return { ...offline, source: 'offline', note: 'sure' };
  let labelled: TriageResult | null = null;
  let note = 'bad_response';
  try {
    const answer = await llm.chat(
      [
        { role: 'system', content: CLASSIFY_PROMPT },
        { role: 'user', content: maskPii(text) },
      ],
      { temperature: 0, maxTokens: 60 },
    );
    const parsed = parseLabel(answer);
    if (parsed) {
      labelled = withLabels(offline, parsed);
      if (parsed.topic !== undefined)
        return { ...labelled, source: 'llm', offline: offlineOf(offline) };
    }
  } catch (e) {
    note = (e as { kind?: string }).kind ?? 'error';
  }
  // The chat model gave no topic (it failed, rests, or answered the complaint flag only): an
  // unsure topic goes to the nearest written or corrected example, when embeddings are set up.
  const base = labelled ?? offline;
  if (embedding && Math.max(...Object.values(base.topicScores)) < TOPIC_SURE) {
    const corrections = await embedding.corrections().catch(() => []);
    const near = await embedding.topics.nearest(text, corrections, base.complaint);
    if (near) {
      return {
        ...withLabels(base, { topic: near.topic }),
        source: labelled ? 'llm' : 'embedding',
        note: `topic of the nearest example (cosine ${near.similarity.toFixed(2)})${labelled ? '' : `; chat: ${note}`}`,
        offline: offlineOf(offline),
      };
    }
  }
  if (labelled) return { ...labelled, source: 'llm', offline: offlineOf(offline) };
  return { ...offline, source: 'offline', note };
}

/** Reads `{"complaint":…, "topic":…}` from a model answer, tolerating code fences and prose. */
export function parseLabel(answer: string): { complaint?: boolean; topic?: Topic } | null {
  const m = /\{[\s\S]*\}/.exec(answer);
  if (!m) return null;
  let j: unknown;
  try {
    j = JSON.parse(m[0]);
  } catch {
    return null;
  }
  if (!j || typeof j !== 'object') return null;
  const o = j as Record<string, unknown>;
  const out: { complaint?: boolean; topic?: Topic } = {};
  if (typeof o.complaint === 'boolean') out.complaint = o.complaint;
  if (typeof o.topic === 'string' && (TOPICS as readonly string[]).includes(o.topic)) {
    out.topic = o.topic as Topic;
  }
  return out.complaint === undefined && out.topic === undefined ? null : out;
}

const offlineOf = (r: TriageResult): OfflineAnswer => ({
  complaint: r.complaint,
  complaintScore: r.complaintScore,
  topic: r.topic,
  topicScores: r.topicScores,
});

/**
 * The LLM's labels on the offline result, kept to the rules an agent's correction keeps to:
 * praise is never a complaint. Praise given as a topic alone says "no complaint"; a complaint
 * flag on praise (the offline topic, or even the LLM's own — it contradicts itself, and a missed
 * complaint costs more than a missed thank-you) moves to the likeliest other topic by the offline
 * scores. The scores then say what the labels say, so a router reading either agrees: a changed
 * complaint flag scores 1 (complaint) or 0 (none), a decision with no probability of its own; a
 * changed topic takes the top topic score and the displaced topic its score, as classify does
 * when a rule overrides the model. The offline scores stay in `offline`.
 */
export function withLabels(
  offline: TriageResult,
  label: { complaint?: boolean; topic?: Topic },
): TriageResult {
  // (Stored triage from before topic scores were kept has none: nothing to reorder.)
  const scores = offline.topicScores as Record<Topic, number> | undefined;
  let topic = label.topic ?? offline.topic;
  const complaint = label.complaint ?? (label.topic === 'praise' ? false : offline.complaint);
  if (complaint && topic === 'praise') topic = scores ? likeliestNotPraise(scores) : 'other';
  const complaintScore =
    complaint === offline.complaint ? offline.complaintScore : complaint ? 1 : 0;
  return {
    ...offline,
    complaint,
    complaintScore,
    topic,
    ...(scores ? { topicScores: onTop(scores, topic) } : {}),
  };
}

function likeliestNotPraise(scores: Record<Topic, number>): Topic {
  let best: Topic = 'other';
  for (const k of TOPICS) if (k !== 'praise' && scores[k] > scores[best]) best = k;
  return best;
}

/** `scores` with `topic` on top, swapped with the topic it displaced (sums stay the same). */
function onTop(scores: Record<Topic, number>, topic: Topic): Record<Topic, number> {
  let top = topic;
  for (const k of TOPICS) if (scores[k] > scores[top]) top = k;
  return top === topic ? scores : { ...scores, [top]: scores[topic], [topic]: scores[top] };
}
