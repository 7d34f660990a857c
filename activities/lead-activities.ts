import type { Pool } from 'pg';
import type { HubspotClient } from '../connectors/hubspot/client';
import { contactProperties, toCrmContact } from '../connectors/hubspot/mapper';
import { matchCustomer, type CustomerRecord, type MatchResult } from '../domain/customer-matching';
import type { CrmContact, LeadCandidate } from '../domain/lead';
import { bindFoundCustomer, boundCustomer, undoCustomerBinding, type BindingUndo } from '../erp/customer-bindings';
import { customerById, customerByNumber, createOrGetByEmail, matchCandidates } from '../erp/customers';
import { inTransaction } from '../erp/db';
import { findBinding, type ExternalKey } from '../erp/external-refs';
import { callingWorkflow } from './context';
import { callVendor } from './vendor-errors';

/** Activities of the Lead -> CRM -> ERP flow: CRM reads and writes, and idempotent ERP customer binding. */

export interface LeadActivityDeps {
  pool: Pool;
  hubspot: HubspotClient;
  /** The HubSpot contact property that holds the ERP customer number. */
  erpIdProperty: string;
}

export type CustomerLookup = { kind: 'bound'; customer: CustomerRecord } | MatchResult;

export type BindTarget = { kind: 'existing'; customerNumber: string } | { kind: 'new' };

export interface BoundCustomer {
  customerId: number;
  customerNumber: string;
  /** False when the contact was bound before, or an existing customer was linked. */
  created: boolean;
}

const contactKey = (contactId: string): ExternalKey => ({ system: 'hubspot', entityType: 'contact', externalId: contactId });

export function createLeadActivities(deps: LeadActivityDeps) {
  const { pool, hubspot, erpIdProperty } = deps;
  return {
    /** Reads the contact from the CRM (the webhook body is only a hint); null when it no longer exists. */
    async fetchCrmContact(contactId: string): Promise<CrmContact | null> {
      const raw = await callVendor(() => hubspot.getContact(contactId, contactProperties(erpIdProperty)), { notFound: null });
      return raw && toCrmContact(raw, erpIdProperty);
    },

    /** The contact's existing binding, else the best match among live ERP customers. */
    async findCustomerMatch(lead: LeadCandidate): Promise<CustomerLookup> {
      const binding = await findBinding(pool, contactKey(lead.contactId));
      if (binding) {
        const customer = await customerById(pool, binding.erpId);
        if (customer) return { kind: 'bound', customer };
      }
      return matchCustomer(lead, await matchCandidates(pool, lead));
    },

    /**
     * Creates or links the ERP customer and binds the contact to it, in one transaction; repeatable. A target
     * customer that does not exist (or was merged) comes back as `unknownCustomerNumber` for the operator.
     */
    async bindCustomer(lead: LeadCandidate, target: BindTarget): Promise<BoundCustomer | { unknownCustomerNumber: string }> {
      const owner = callingWorkflow();
      return inTransaction(pool, async (tx) => {
        const key = contactKey(lead.contactId);
        const bound = await boundCustomer(tx, key);
        if (bound) return { customerId: bound.id, customerNumber: bound.customerNumber, created: false };
        let found: { customer: CustomerRecord; created: boolean };
        if (target.kind === 'existing') {
          const customer = await customerByNumber(tx, target.customerNumber);
          if (!customer) return { unknownCustomerNumber: target.customerNumber };
          found = { customer, created: false };
        } else {
          found = await createOrGetByEmail(tx, lead, owner);
        }
        const { customer, created } = await bindFoundCustomer(tx, key, found, owner);
        return { customerId: customer.id, customerNumber: customer.customerNumber, created };
      });
    },

    /**
     * Compensation of bindCustomer: undoes the binding and the customer only if this run made them. A later run
     * of the same contact's flow (it qualified again, or continued as new) leaves an earlier run's work alone.
     */
    async unbindCustomer(contactId: string): Promise<BindingUndo> {
      return inTransaction(pool, (tx) => undoCustomerBinding(tx, contactKey(contactId), callingWorkflow()));
    },

    /** Writes the ERP customer number onto the CRM contact, unless it is already there. */
    async writeErpCustomerNumber(contactId: string, customerNumber: string, current: string | null): Promise<{ changed: boolean }> {
      if (current === customerNumber) return { changed: false };
      await callVendor(() => hubspot.updateContact(contactId, { [erpIdProperty]: customerNumber }));
      return { changed: true };
    },

    /** Compensation of the write-back: puts the previous value back. */
    async restoreErpCustomerNumber(contactId: string, previous: string | null): Promise<void> {
      // A contact deleted meanwhile has nothing left to restore.
      await callVendor(() => hubspot.updateContact(contactId, { [erpIdProperty]: previous ?? '' }), { notFound: null });
    },
  };
}

export type LeadActivities = ReturnType<typeof createLeadActivities>;
