/**
 * Suggested replies for an agent: drafted by the optional LLM from the case's recent messages,
 * or, when the LLM is off or fails, taken from our written templates by topic. A suggestion is
 * never sent by itself; the agent edits and sends it. It never repeats personal data: the case
 * text is masked before it leaves the process, and a draft that still contains any is refused.
 */
import { maskPii } from './assist.js';
import type { LlmClient } from './llm.js';
import { findPii } from './pii.js';
import type { Topic } from './types.js';

export interface ThreadLine {
  direction: 'in' | 'out';
  text: string;
}

export interface Suggestion {
  reply: string;
  source: 'llm' | 'template';
  note?: string;
}

// Written by us: a first answer per topic that commits to nothing we cannot keep.
const TEMPLATES: Record<Topic, string> = {
  network:
    "Sorry about the trouble with your connection. Could you send us a private message with your ZIP code and when it started? We'll check the network in your area.",
  outage:
    "Sorry, we know service is down for some customers and engineers are working on it. We'll update you here as soon as it's back.",
  billing:
    "Sorry about the confusion with your bill. Please send us a private message with the charge you're asking about and we'll look into it.",
  account:
    "Happy to help with your account. Please send us a private message (no passwords) and we'll take it from there.",
  device:
    "Sorry your device is giving you trouble. Which model is it, and what happens exactly? We'll walk you through it.",
  service:
    "Sorry about your experience with us. Please send us a private message with the details and we'll make it right.",
  delivery:
    "Sorry for the wait. Please send us a private message with your order number and we'll check where it is.",
  praise: 'Thank you so much for the kind words! We will pass them on to the team.',
  other: 'Thanks for reaching out. How can we help?',
};

const SYSTEM = `You draft a reply for a customer-care agent. Be brief (at most 280 characters), warm and
specific, in the customer's language. Never promise a time, refund or credit. Never include personal
data; if you need account details, ask the customer to send a private message. Reply with the text only.`;

export async function suggestReply(
  thread: readonly ThreadLine[],
  topic: Topic,
  llm: LlmClient | null,
): Promise<Suggestion> {
  const fallback = (note: string): Suggestion => ({
    reply: TEMPLATES[topic],
    source: 'template',
    note,
  });
  if (!llm) return fallback('llm off');
  const recent = thread.slice(-10);
  try {
    const draft = (
      await llm.chat(
        [
          { role: 'system', content: SYSTEM },
          {
            role: 'user',
            content: recent
              .map((l) => `${l.direction === 'in' ? 'Customer' : 'Agent'}: ${maskPii(l.text)}`)
              .join('\n'),
          },
        ],
        { temperature: 0.3, maxTokens: 200 },
      )
    ).trim();
    if (!draft) return fallback('bad_response');
    if (findPii(draft).length > 0) return fallback('draft contained personal data');
    return { reply: draft.slice(0, 1000), source: 'llm' };
  } catch (e) {
    return fallback((e as { kind?: string }).kind ?? 'error');
  }
}
