import { defineSignal } from '@temporalio/workflow';
import type { LeadPolicy } from '../../domain/lead';

/** The Lead -> CRM -> ERP flow's messages, ids and business key, defined once for the workflow, the relay and our tools. */

export const LEAD_WORKFLOW = 'leadConversion';
/** The CRM connection of flows started before connections existed. */
export const DEFAULT_CRM = 'hubspot';

export const leadWorkflowId = (crm: string, contactId: string) => `lead-${crm}-${contactId}`;
export const leadBusinessKey = (crm: string, contactId: string) => `${crm}:contact:${contactId}`;

export interface LeadConversionInput {
  /** The CRM connection the contact lives in (default `hubspot`). */
  crm?: string;
  contactId: string;
  policy: LeadPolicy;
  /** Only from continue-as-new: what the earlier runs of the chain did. */
  carried?: LeadCarryOver;
}

/** What a run hands to the next when it continues as new. */
export interface LeadCarryOver {
  /** Passes (fresh reads of the contact) of the whole chain so far. */
  passes: number;
  /** Whether an earlier run of the chain created the customer (reported in the result, never undone). */
  createdCustomer: boolean;
}

export type LeadConversionResult =
  | { status: 'converted'; customerNumber: string; created: boolean; passes: number }
  | { status: 'not-qualified'; lifecycleStage: string | null }
  | { status: 'contact-deleted' }
  | { status: 'skipped'; step: string }
  | { status: 'compensated'; undone: string[] };

/** Sent by the relay for every later event about the same contact: the flow re-reads the contact once more. */
export const contactChangedSignal = defineSignal<[{ eventId: string; topic: string }]>('contactChanged');

/** The lead flow's steps, as issues and progress name them. */
export const LEAD_STEPS = {
  fetchContact: 'fetch-contact',
  validateContact: 'validate-contact',
  findCustomer: 'find-customer',
  resolveMatch: 'resolve-match',
  bindCustomer: 'bind-customer',
  writeBack: 'write-back-erp-id',
} as const;
