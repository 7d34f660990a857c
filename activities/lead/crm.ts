import type { CrmContact } from '../../domain/lead';
import type { CrmPort } from '../../ports/crm';
import { callVendor } from '../shared/vendor-errors';
import { portOf } from '../shared/ports';

/** The lead flow's CRM activities, through the CRM port of the flow's connection. */

export interface LeadCrmDeps {
  /** CRM ports by connection id. */
  crms: ReadonlyMap<string, CrmPort>;
}

export function createLeadCrmActivities(deps: LeadCrmDeps) {
  const crmOf = (crm: string) => portOf(deps.crms, crm, 'CRM');
  return {
    /** Reads the contact from the CRM (the webhook body is only a hint); null when it no longer exists. */
    async fetchCrmContact(contactId: string, crm = 'hubspot'): Promise<CrmContact | null> {
      return callVendor(() => crmOf(crm).getContact(contactId), { notFound: null });
    },

    /** Writes the ERP customer number onto the CRM contact, unless it is already there. */
    async writeErpCustomerNumber(contactId: string, customerNumber: string, current: string | null, crm = 'hubspot'): Promise<{ changed: boolean }> {
      if (current === customerNumber) return { changed: false };
      await callVendor(() => crmOf(crm).writeErpNumber(contactId, customerNumber));
      return { changed: true };
    },

    /** Compensation of the write-back: puts the previous value back. */
    async restoreErpCustomerNumber(contactId: string, previous: string | null, crm = 'hubspot'): Promise<void> {
      // A contact deleted meanwhile has nothing left to restore.
      await callVendor(() => crmOf(crm).writeErpNumber(contactId, previous), { notFound: null });
    },
  };
}

export type LeadCrmActivities = ReturnType<typeof createLeadCrmActivities>;
