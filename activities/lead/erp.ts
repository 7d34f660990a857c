import type { Pool } from 'pg';
import { matchCustomer, type CustomerRecord, type MatchResult } from '../../domain/customer-matching';
import type { LeadCandidate } from '../../domain/lead';
import { bindFoundCustomer, boundCustomer, undoCustomerBinding, type BindingUndo } from '../../erp/customer-bindings';
import { customerById, customerByNumber, createOrGetByEmail, matchCandidates } from '../../erp/customers';
import { inTransaction } from '../../db/transaction';
import { findBinding, type ExternalKey } from '../../erp/external-refs';
import { callingWorkflow } from '../shared/context';

/** The lead flow's ERP activities: find, create or link the customer and bind the contact to it, idempotently. */

export interface LeadErpDeps {
  pool: Pool;
}

export type CustomerLookup = { kind: 'bound'; customer: CustomerRecord } | MatchResult;

export type BindTarget = { kind: 'existing'; customerNumber: string } | { kind: 'new' };

export interface BoundCustomer {
  customerId: number;
  customerNumber: string;
  /** False when the contact was bound before, or an existing customer was linked. */
  created: boolean;
}

/** The binding key of a CRM contact: the CRM connection, not the vendor, names the system. */
const contactKey = (crm: string, contactId: string): ExternalKey => ({ system: crm, entityType: 'contact', externalId: contactId });

export function createLeadErpActivities(deps: LeadErpDeps) {
  const { pool } = deps;
  return {
    /** The contact's existing binding, else the best match among live ERP customers. */
    async findCustomerMatch(lead: LeadCandidate, crm = 'hubspot'): Promise<CustomerLookup> {
      const binding = await findBinding(pool, contactKey(crm, lead.contactId));
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
    async bindCustomer(lead: LeadCandidate, target: BindTarget, crm = 'hubspot'): Promise<BoundCustomer | { unknownCustomerNumber: string }> {
      const owner = callingWorkflow();
      return inTransaction(pool, async (tx) => {
        const key = contactKey(crm, lead.contactId);
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
    async unbindCustomer(contactId: string, crm = 'hubspot'): Promise<BindingUndo> {
      return inTransaction(pool, (tx) => undoCustomerBinding(tx, contactKey(crm, contactId), callingWorkflow()));
    },
  };
}

export type LeadErpActivities = ReturnType<typeof createLeadErpActivities>;
