import {
  allHandlersFinished, condition, makeContinueAsNewFunc, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import { ERP_RETRY, VENDOR_RETRY } from '../shared/retry-policies';
import type { LeadCrmActivities } from '../../activities/lead/crm';
import type { BindTarget, BoundCustomer, CustomerLookup, LeadErpActivities } from '../../activities/lead/erp';
import type { CrmContact } from '../../domain/lead';
import { isQualified, runIsFull, toLeadCandidate, type LeadCandidate } from '../../domain/lead-rules';
import { CustomerEmail } from '../../domain/search-attributes';
import { FlowRuntime, runFlow } from '../shared/flow-runtime';
import {
  contactChangedSignal, DEFAULT_CRM, LEAD_STEPS as STEP, leadBusinessKey, type LeadConversionInput, type LeadConversionResult,
} from './api';

export type { LeadCarryOver, LeadConversionInput, LeadConversionResult } from './api';

/** Lead -> CRM -> ERP: a qualified CRM contact becomes exactly one ERP customer, and the CRM learns its number. */

const crm = proxyActivities<LeadCrmActivities>({
  startToCloseTimeout: '30 seconds',
  retry: VENDOR_RETRY,
});
const erp = proxyActivities<LeadErpActivities>({
  startToCloseTimeout: '30 seconds',
  retry: ERP_RETRY,
});

/**
 * A contact that keeps changing keeps the flow re-reading it, one pass per change. So that its history stays
 * small, a run continues as new between passes once Temporal suggests it or after `passesPerRun` passes.
 * Compensating (or cancelling) a run undoes that run's own work only: the passes of earlier runs in the chain
 * completed (customer bound, CRM told) and are committed, as are those of earlier runs of the same contact.
 */
export async function leadConversion(input: LeadConversionInput): Promise<LeadConversionResult> {
  const flow = new FlowRuntime('lead', leadBusinessKey(input.crm ?? DEFAULT_CRM, input.contactId), {
    operatorReminderSeconds: input.policy.operatorReminderSeconds, rateLimitBudgetSeconds: input.policy.rateLimitBudgetSeconds,
  });
  let changedDuringPass = false;
  setHandler(contactChangedSignal, () => {
    changedDuringPass = true;
  });

  return runFlow(flow, async () => {
    let passes = input.carried?.passes ?? 0;
    let createdCustomer = input.carried?.createdCustomer ?? false;
    let passesThisRun = 0;
    for (;;) {
      // Events that arrived before this pass are covered by the fresh read it starts with.
      changedDuringPass = false;
      passes++;
      passesThisRun++;
      let result = await convertOnce(flow, input, passes);
      if (result.status === 'converted') createdCustomer ||= result.created;
      if (changedDuringPass && result.status !== 'skipped') {
        if (runIsFull(passesThisRun, input.policy, workflowInfo().continueAsNewSuggested) && flow.patches.has(CONTINUE_AS_NEW_PATCH)) {
          await continueChain({ ...input, carried: { passes, createdCustomer } });
        }
        continue;
      }
      if (result.status === 'converted') result = { ...result, created: createdCustomer };
      flow.setState(result.status);
      return result;
    }
  }, { aborted: (undone) => ({ status: 'compensated', undone }) });
}

/** Older histories never continued as new: they replay without it. */
const CONTINUE_AS_NEW_PATCH = 'lead-continue-as-new';

/**
 * Hands over between passes, where no operator question is open. Signals that arrive during the hand-over are
 * not lost: they either reach this run before it closes (the server then makes it see them first) or the new
 * run, and the new run starts with a fresh read of the contact anyway.
 */
async function continueChain(next: LeadConversionInput): Promise<never> {
  await condition(allHandlersFinished);
  // Explicitly, so that the chain stays findable by its business key, flow and e-mail.
  return makeContinueAsNewFunc<typeof leadConversion>({ typedSearchAttributes: workflowInfo().typedSearchAttributes })(next);
}

async function convertOnce(flow: FlowRuntime, input: LeadConversionInput, passes: number): Promise<LeadConversionResult> {
  const connection = input.crm ?? DEFAULT_CRM;
  const fetched = await flow.step(STEP.fetchContact, () => crm.fetchCrmContact(input.contactId, connection));
  if (!fetched.done) return { status: 'skipped', step: STEP.fetchContact };
  const contact = fetched.value;
  if (!contact) return { status: 'contact-deleted' };
  if (!isQualified(contact.lifecycleStage, input.policy)) return { status: 'not-qualified', lifecycleStage: contact.lifecycleStage };

  const lead = await validatedLead(flow, input, contact);
  if (!lead) return { status: 'skipped', step: STEP.validateContact };
  if (lead.email) upsertSearchAttributes([{ key: CustomerEmail, value: lead.email }]);
  flow.describe(`${lead.displayName || 'Contact'} · ${connection} contact ${input.contactId}${lead.email ? ` · ${lead.email}` : ''}`);

  const found = await flow.step(STEP.findCustomer, () => erp.findCustomerMatch(lead, connection));
  if (!found.done) return { status: 'skipped', step: STEP.findCustomer };
  let lookup: CustomerLookup = found.value;
  let customer: BoundCustomer | undefined;
  while (!customer) {
    const target = await chooseTarget(flow, lead, lookup);
    if (!target) return { status: 'skipped', step: STEP.resolveMatch };
    const bound = await flow.step(STEP.bindCustomer, () => erp.bindCustomer(lead, target, connection), {
      compensate: () => erp.unbindCustomer(lead.contactId, connection),
    });
    if (!bound.done) return { status: 'skipped', step: STEP.bindCustomer };
    if ('unknownCustomerNumber' in bound.value) {
      // The operator named a customer that is not (or no longer) in the ERP: ask again, saying so.
      lookup = { kind: 'ambiguous', reason: `${bound.value.unknownCustomerNumber} does not exist or was merged`, candidates: lookup.kind === 'ambiguous' ? lookup.candidates : [] };
      continue;
    }
    customer = bound.value;
  }
  flow.setErpRecord(customer.customerNumber);

  const written = await flow.step(
    STEP.writeBack,
    () => crm.writeErpCustomerNumber(lead.contactId, customer.customerNumber, contact.erpCustomerNumber, connection),
    { compensate: () => crm.restoreErpCustomerNumber(lead.contactId, contact.erpCustomerNumber, connection) },
  );
  if (!written.done) return { status: 'skipped', step: STEP.writeBack };
  return { status: 'converted', customerNumber: customer.customerNumber, created: customer.created, passes };
}

/** Invalid contact data is the CRM's to fix: wait for a person, who fixes it and says retry, or skips. */
async function validatedLead(flow: FlowRuntime, input: LeadConversionInput, contact: CrmContact): Promise<LeadCandidate | null> {
  let current = contact;
  for (;;) {
    const validation = toLeadCandidate(current, input.policy);
    if (validation.ok) return validation.lead;
    const decision = await flow.ask({
      step: STEP.validateContact,
      kind: 'invalid-data',
      message: validation.problems.join('; '),
      details: { contactId: input.contactId, problems: validation.problems },
      allowed: ['retry', 'skip'],
    });
    if (decision.action !== 'retry') return null;
    const refetched = await flow.step(STEP.fetchContact, () => crm.fetchCrmContact(input.contactId, input.crm ?? DEFAULT_CRM));
    if (!refetched.done || !refetched.value) return null;
    current = refetched.value;
  }
}

/** Existing binding or a sure match links; no match creates; an ambiguous match is a person's call. */
async function chooseTarget(flow: FlowRuntime, lead: LeadCandidate, lookup: CustomerLookup): Promise<BindTarget | null> {
  switch (lookup.kind) {
    case 'bound':
    case 'match':
      return { kind: 'existing', customerNumber: lookup.customer.customerNumber };
    case 'none':
      return { kind: 'new' };
    case 'ambiguous': {
      const decision = await flow.ask({
        step: STEP.resolveMatch,
        kind: 'ambiguous-match',
        message: `${lookup.reason}: link to one of ${lookup.candidates.map((c) => c.customer.customerNumber).join(', ')} or create a new customer`,
        details: {
          lead,
          candidates: lookup.candidates.map((c) => ({ customerNumber: c.customer.customerNumber, displayName: c.customer.displayName, email: c.customer.email, rule: c.rule, score: c.score })),
          workflowId: workflowInfo().workflowId,
        },
        allowed: ['link', 'create-new', 'skip', 'compensate'],
      });
      if (decision.action === 'link') return { kind: 'existing', customerNumber: decision.customerNumber };
      if (decision.action === 'create-new') return { kind: 'new' };
      return null;
    }
  }
}
