/**
 * The operator runbook, one entry per issue kind (engine/issues.ts `IssueKind`, the CHECK on integration.issue.kind).
 * A kind without an entry fails `test/unit/runbook.test.ts` and stops `npm run docs:generate`.
 */

export interface RunbookEntry {
  /** What the issue means, in one or two sentences. */
  meaning: string;
  /** Whether a flow waits for a decision ('decision'), or the issue is a notice (acknowledge once dealt with). */
  answer: 'decision' | 'notice' | 'decision or notice';
  /** How to find out more and fix the cause, step by step. */
  resolve: string[];
  /** Which decision to send, and when. */
  decisions: Array<{ action: string; when: string }>;
}

export const RUNBOOK: Record<string, RunbookEntry> = {
  'step-failed': {
    meaning: 'A step kept failing after its retries (or failed with a permanent error such as a 4xx from a vendor), or a compensation (`undo-<step>`) failed. The flow has not given up: it waits for a decision at that step. The relay raises the same kind for an inbox row it could not hand to Temporal (`flow = relay`, step `dispatch`). The inventory sync raises it as a notice (`drift:<sku>`) when a SKU kept changing in the shop while it was being set.',
    answer: 'decision or notice',
    resolve: [
      'Read the message and `details.activity` / `details.failureType`: a vendor error names its status and reason, an ERP error its constraint.',
      'Fix the cause where it lives: the vendor\'s data or settings (a missing product, a refused token), the ERP row, or wait for the outage to end.',
      'For `flow = relay` (a failed dispatch) the fix is a replay: `npm run ops -- inbox replay <inbox id>` (the message names it); the replay resolves the issue.',
      'For an inventory `drift:<sku>` notice, look at who changes the SKU in the shop, then acknowledge it.',
    ],
    decisions: [
      { action: 'retry', when: 'the cause is fixed (or was transient): the step runs again' },
      { action: 'skip', when: 'the step\'s effect was made by hand, or is not needed; the flow goes on without it (and will not undo it later)' },
      { action: 'compensate', when: 'the whole business transaction must be undone: every completed step is undone in reverse order' },
    ],
  },
  'ambiguous-match': {
    meaning: 'Several ERP records fit and a person must choose: a CRM lead matches several ERP customers (lead flow, step `resolve-match`, candidates with rule and score in `details`), or a payment fits several ERP orders by amount (payment flow, step `choose-order`).',
    answer: 'decision',
    resolve: [
      'Compare the candidates in `details` (customer number, name, email, matching rule and score; or the orders\' numbers, amounts and times) with the source record.',
      'Lead: decide which ERP customer it is, or that it is none of them.',
      'Payment: name the order with update `linkOrder` `{"orderNumber": "SO-10001"}`, then decide `retry`.',
    ],
    decisions: [
      { action: 'link', when: 'lead: the contact is this existing customer (`link=C-1003`); a number that does not exist or was merged asks again' },
      { action: 'create-new', when: 'lead: none of the candidates; a new ERP customer is created' },
      { action: 'retry', when: 'payment: after `linkOrder` named the order' },
      { action: 'skip', when: 'lead: do not convert this contact; payment: leave the payment unmatched' },
      { action: 'compensate', when: 'lead: undo what the flow did so far' },
    ],
  },
  'invalid-data': {
    meaning: 'The source record cannot be used as it is: a lead without a valid email or phone or without a name (step `validate-contact`), an order whose totals do not add up (`check-totals`), a refund or dispute the ERP cannot book (payment flow), or a SKU that exists on one side only (inventory sync, `unmapped:<sku>`, a notice).',
    answer: 'decision or notice',
    resolve: [
      'The message lists every problem found; fix the record at its source (the CRM contact, the shop order, the catalogue).',
      'A flow that waits re-reads the source on `retry`; an order re-reads the shop order before it retries.',
      'An unmapped SKU: add the product to the shop or the ERP (or leave it out on purpose), then acknowledge the notice.',
    ],
    decisions: [
      { action: 'retry', when: 'the record was fixed at its source' },
      { action: 'skip', when: 'lead: the contact is not to be converted' },
      { action: 'compensate', when: 'order: the order cannot be fixed and is to be undone and cancelled' },
    ],
  },
  'overdue': {
    meaning: 'A wait went past its limit: an order not shipped within `ORDER_SHIPMENT_REMINDER_SECONDS` of its confirmation (step `await-shipment`), or a payment with no ERP order within its order-wait (payment flow, `await-order`; the payment is parked as unmatched). Nothing waits for a decision.',
    answer: 'notice',
    resolve: [
      'Order: chase the warehouse; once it ships, `npm run ops -- ship <workflowId>` (or update `markShipped`) ends the wait and closes the notice.',
      'Payment: find the order it belongs to; the flow applies the payment as soon as the order arrives or the payment changes.',
      'Acknowledge the notice when dealt with: `npm run ops -- acknowledge <issueId> --note "…"`.',
    ],
    decisions: [{ action: 'acknowledge', when: 'the notice was dealt with (it also closes by itself when the wait ends)' }],
  },
  'refused-cancellation': {
    meaning: 'The shop cancelled an order that had already shipped: the goods have left, so nothing was undone (step `cancel-after-shipment`).',
    answer: 'notice',
    resolve: [
      'Arrange a return or refund with the customer outside the flow (a refund made in the payment provider is booked by the payment flow).',
      'Acknowledge the notice: `npm run ops -- acknowledge <issueId> --note "return arranged"`.',
    ],
    decisions: [{ action: 'acknowledge', when: 'the return or refund is arranged' }],
  },
  'dispute': {
    meaning: 'The buyer\'s bank disputes a payment (step `record-dispute`). While it is open, an order not yet shipped is not shipped. The notice closes by itself when the bank decides.',
    answer: 'notice',
    resolve: [
      'Answer the dispute with evidence in the payment provider\'s dashboard before its deadline.',
      'Hold the goods if the order has not shipped (the order flow does so itself).',
    ],
    decisions: [{ action: 'acknowledge', when: 'only if the dispute is settled outside the provider; otherwise it closes itself' }],
  },
  'reconciliation': {
    meaning: 'A reconciliation run found differences between the ERP and the payment provider\'s balance transactions and payouts; one issue per run, with the counts by class and a sample of exceptions with both sides (step `report-exceptions`).',
    answer: 'notice',
    resolve: [
      'List every exception of the run: `SELECT * FROM integration.reconciliation_exception WHERE run_id = <runId>` (the message names the run).',
      'Payments the ERP never booked were healed (their payment flows started); amounts or statuses that differ need a person to correct the ERP or the provider.',
      'Run the window again after fixing: `npm run ops -- reconcile backfill <from> <to>`; then acknowledge.',
    ],
    decisions: [{ action: 'acknowledge', when: 'the exceptions are corrected or explained' }],
  },
  'sync-audit': {
    meaning: 'A synchronisation audit run found records that differ between a vendor (CRM, shop, payment provider) and the ERP; one issue per run with the counts per entity and kind and the differences with both sides (step `report-discrepancies`).',
    answer: 'notice',
    resolve: [
      'List every discrepancy of the run: `SELECT * FROM integration.audit_discrepancy WHERE run_id = <runId>` (the message names the run).',
      'What the audit could heal safely (a missing flow started, a stock value pushed again) is counted as healed; the rest (e.g. totals that differ) needs a person to correct the ERP or the vendor.',
      'Run the audit again (`npm run ops -- audit trigger`) to see that it is clean, then acknowledge.',
    ],
    decisions: [{ action: 'acknowledge', when: 'the discrepancies are corrected or explained' }],
  },
  'payout-failed': {
    meaning: 'The bank returned a payout (step `record-payout`): the ERP keeps it as failed, its money is back in the provider balance and leaves with the next payout. Raised once per payout.',
    answer: 'notice',
    resolve: [
      'Check the bank account registered at the payment provider (the failure code in the message says why the bank refused it, e.g. `account_closed`).',
      'Nothing to book by hand: the next payout carries the amount, and the reconciliation proves it.',
    ],
    decisions: [{ action: 'acknowledge', when: 'the bank account is corrected' }],
  },
};

/** What each operator decision does, for every flow (workflows/shared/operator-api.ts `OperatorDecision`). */
export const DECISION_DOCS: Record<string, string> = {
  'retry': 'run the failed step again (after the cause was fixed)',
  'skip': 'go on without the step; it will not be undone later',
  'compensate': 'undo every completed step in reverse order; the flow ends compensated (an order: cancelled)',
  'link': 'an ambiguous customer match: use this existing ERP customer (`customerNumber`, e.g. `C-1003`)',
  'create-new': 'an ambiguous customer match: none of the candidates, create a new ERP customer',
};
