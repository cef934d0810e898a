import type { Area } from '../../triage/index.js';

/** One classified complaint, in event time. */
export interface Complaint {
  /** Unique message reference (channel + external id). */
  ref: string;
  at: number;
  customerId: string;
  caseId: string | null;
  topic: string;
  area: Area | null;
  text: string;
}

/**
 * One inbound customer message as the pipeline's detect stage sees it: triage's verdict, the
 * case it threads into and the author's channel address (for area inference).
 */
export interface Observation {
  ref: string;
  at: number;
  customerId: string;
  caseId: string | null;
  /** The author's address on its channel (an E.164 number for WhatsApp, SMS, voice). */
  address?: string | null;
  /** Triage's area (from the text or the author's profile location). */
  area: Area | null;
  complaint: boolean;
  topic: string;
  text: string;
}

/** A process signal (broken promise, SLA breach, repeat contact) attributed to a team. */
export interface ProcessSignal {
  ref: string;
  kind: 'promise_broken' | 'sla_breach' | 'repeat_contact';
  teamId: string;
  at: number;
  customerId: string;
  caseId: string | null;
  /**
   * History the desk learned of late (an import, a replay, seeded cases): overdue before the
   * desk knew of the case. It teaches the team's usual rate and never raises or links.
   */
  late?: boolean;
}

export type ProblemKind = 'area' | 'text' | 'process' | 'manual';

/** What the detector needs to know of an open problem (synced from storage every batch). */
export interface ProblemView {
  id: string;
  kind: ProblemKind;
  status: string;
  topic: string | null;
  areaKey: string | null;
  /** Detector keys whose complaints belong to this problem. */
  keys: string[];
  /** The problem's area key and its ancestors (`all` last); `[]` when it has no area. */
  chain: string[];
  /**
   * The key of the area it shows (`area`), when that is narrower than `areaKey`: where its
   * complainers concentrate inside the place it is counted in (`settlePlace`).
   */
  shownKey?: string | null;
  lastEventAt: number;
  /** When it was raised (event time). */
  detectedAt: number;
  fixedAt: number | null;
  /** A person has acted on it (confirmed, fixing, …): it never expires on its own. */
  human: boolean;
  /**
   * Topic → cases whose first link to it, in its first `topicSettleMs`, was a complaint of that
   * topic (`ProblemBook.settledTopic`; stored with the problem so a restart keeps the count).
   */
  votes?: Record<string, number>;
}

export interface Member {
  ref: string;
  caseId: string | null;
  customerId: string;
  at: number;
  /** The complaint's triage topic (null for a message that is not a complaint). */
  topic?: string | null;
}

/** A topic and the share (0–1) of a problem's complaints filed under it. */
export interface TopicShare {
  topic: string;
  share: number;
}

export interface Baseline {
  key: string;
  windowMinutes: number;
  observed: number;
  expected: number;
  pValue: number;
}

export type Decision =
  | {
      type: 'raise';
      problemId: string;
      kind: ProblemKind;
      topic: string | null;
      area: {
        postalCode: string | null;
        city: string | null;
        region: string | null;
        country: string | null;
      } | null;
      areaKey: string | null;
      keys: string[];
      terms: string[];
      teamId: string | null;
      at: number;
      firstAt: number;
      confirmed: boolean;
      baseline: Baseline;
      tightness: number | null;
      /**
       * Raised on a place's every-topic key whose complaints no topic has most of: each topic's
       * share of those it links, largest first (`topicMix`). Its title says so; `topic` stays
       * the most common one.
       */
      mix?: TopicShare[];
    }
  | {
      type: 'link';
      problemId: string;
      member: Member;
      reason: 'detected' | 'arrival' | 'merged';
      /** A move: the topic the case's vote gave the problem it leaves, taken back. */
      unvote?: string;
    }
  /** `from`: the problem that held the key until now (`split-topic.ts`), which gives it up. */
  | { type: 'own'; problemId: string; at: number; key: string; from?: string }
  | { type: 'retopic'; problemId: string; at: number; topic: string }
  | { type: 'confirm'; problemId: string; at: number; baseline: Baseline }
  | { type: 'verify'; problemId: string; at: number }
  | { type: 'expire'; problemId: string; at: number }
  /** A fix that did not hold: new customers kept coming after it (`fix-check.ts`). */
  | { type: 'unfix'; problemId: string; at: number; before: number; after: number }
  | {
      type: 'refine';
      problemId: string;
      at: number;
      /** Null for the whole country (a text cluster that widened, `text-place.ts`). */
      areaKey: string | null;
      area: Extract<Decision, { type: 'raise' }>['area'];
      key: string;
    };
