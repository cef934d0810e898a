/** Topic ids of the PRODUCT.md taxonomy; order is the order of the model's output rows. */
export const TOPICS = [
  'network',
  'outage',
  'billing',
  'account',
  'device',
  'service',
  'delivery',
  'praise',
  'other',
] as const;
export type Topic = (typeof TOPICS)[number];

export const URGENCY_KINDS = ['churn', 'safety', 'legal', 'vulnerable', 'repeat'] as const;
export type UrgencyKind = (typeof URGENCY_KINDS)[number];

export type PiiKind = 'card' | 'email' | 'phone' | 'account' | 'ssn';

export interface TriageInput {
  text: string;
  channel?: string;
  /** Free-text profile location of the author ("Denver, CO", "SW1A 1AA"). */
  authorLocation?: string;
}

export interface Area {
  postalCode: string | null;
  city: string | null;
  /** US state / Canadian province code; null for a UK postcode (its letters are not a region). */
  region: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
  /** 0..1: how sure we are this is where the customer's trouble is. */
  confidence: number;
}

export interface PiiSpan {
  kind: PiiKind;
  /** UTF-16 offsets into the input text, end exclusive (String.prototype.slice). */
  start: number;
  end: number;
}

export interface TriageResult {
  /** ISO 639-1, or "und" when unknown. */
  language: string;
  complaint: boolean;
  complaintScore: number;
  topic: Topic;
  topicScores: Record<Topic, number>;
  /** -1 (very negative) .. 1 (very positive). */
  sentiment: number;
  urgency: UrgencyKind[];
  area: Area | null;
  spam: boolean;
  bot: boolean;
  promo: boolean;
  pii: PiiSpan[];
}
