/**
 * Permissively licensed third-party training data, read from ../shared/data at training time
 * (never copied into the repo): BANKING77 (PolyAI, CC BY 4.0) and the Bitext customer-support
 * sample (CDLA-Sharing-1.0). Their intents are mapped to "complaint or not" (and, for Bitext, a
 * topic) by the tables below; intents whose mapping would be a guess are left out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Topic } from '../types.js';

export interface ExternalExample {
  text: string;
  complaint: 0 | 1;
  topic?: Topic;
  source: 'banking77' | 'bitext';
}

const SHARED = new URL('../../../../shared/data/', import.meta.url);

// BANKING77 intents that report a problem (a breach of expectations) ...
const BANKING_COMPLAINT = new Set(
  `card_arrival card_payment_wrong_exchange_rate extra_charge_on_statement pending_cash_withdrawal
  card_not_working pin_blocked contactless_not_working pending_top_up wrong_amount_of_cash_received
  transfer_not_received_by_recipient top_up_reverted balance_not_updated_after_cheque_or_cash_deposit
  card_payment_not_recognised unable_to_verify_identity direct_debit_payment_not_recognised
  declined_cash_withdrawal pending_card_payment Refund_not_showing_up declined_transfer
  declined_card_payment pending_transfer card_swallowed transaction_charged_twice
  reverted_card_payment? beneficiary_not_allowed failed_transfer virtual_card_not_working
  wrong_exchange_rate_for_cash_withdrawal top_up_failed balance_not_updated_after_bank_transfer
  cash_withdrawal_not_recognised card_payment_fee_charged transfer_fee_charged`.split(/\s+/),
);
// ... and those left out because the same intent holds both problems and plain questions.
const BANKING_UNSURE = new Set(
  `lost_or_stolen_card lost_or_stolen_phone compromised_card request_refund terminate_account
  cancel_transfer passcode_forgotten`.split(/\s+/),
);

const BITEXT_COMPLAINT = new Set(['complaint', 'payment_issue', 'registration_problems']);
const BITEXT_TOPIC: Record<string, Topic> = {
  delivery_period: 'delivery',
  delivery_options: 'delivery',
  track_order: 'delivery',
  change_order: 'delivery',
  place_order: 'delivery',
  cancel_order: 'delivery',
  set_up_shipping_address: 'delivery',
  change_shipping_address: 'delivery',
  check_invoice: 'billing',
  get_invoice: 'billing',
  track_refund: 'billing',
  get_refund: 'billing',
  check_refund_policy: 'billing',
  check_payment_methods: 'billing',
  payment_issue: 'billing',
  check_cancellation_fee: 'billing',
  edit_account: 'account',
  create_account: 'account',
  switch_account: 'account',
  delete_account: 'account',
  recover_password: 'account',
  registration_problems: 'account',
  newsletter_subscription: 'account',
  contact_human_agent: 'service',
  contact_customer_service: 'service',
  complaint: 'service',
};

export function loadExternal(): { examples: ExternalExample[]; sources: string[] } {
  const examples: ExternalExample[] = [];
  const sources: string[] = [];
  const banking = new URL('banking77/train.csv', SHARED);
  if (existsSync(banking)) {
    sources.push('banking77/train.csv (CC BY 4.0)');
    const rows = parse(readFileSync(banking), { columns: true }) as {
      text: string;
      category: string;
    }[];
    for (const r of rows) {
      if (BANKING_UNSURE.has(r.category)) continue;
      examples.push({
        text: r.text,
        complaint: BANKING_COMPLAINT.has(r.category) ? 1 : 0,
        source: 'banking77',
      });
    }
  }
  const bitext = new URL(
    'bitext-customer-support/Bitext_Sample_Customer_Support_Training_Dataset.csv',
    SHARED,
  );
  if (existsSync(bitext)) {
    sources.push('bitext-customer-support sample (CDLA-Sharing-1.0)');
    const rows = parse(readFileSync(bitext), { columns: true }) as {
      instruction: string;
      intent: string;
    }[];
    for (const r of rows) {
      if (r.intent === 'review') continue;
      examples.push({
        text: r.instruction,
        complaint: BITEXT_COMPLAINT.has(r.intent) ? 1 : 0,
        topic: BITEXT_TOPIC[r.intent],
        source: 'bitext',
      });
    }
  }
  return { examples, sources };
}
