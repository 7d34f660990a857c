import type { CrmContact } from '../domain/lead';

/**
 * The CRM port: what the lead flow needs from any CRM, in the engine's own words. A missing contact is a
 * VendorHttpError with status 404.
 */
export interface CrmPort {
  getContact(contactId: string): Promise<CrmContact>;
  /** Writes the ERP customer number onto the contact; null clears it. */
  writeErpNumber(contactId: string, erpNumber: string | null): Promise<void>;
  /** One page of the live contacts (for the audit); pass the page's `nextCursor` for the next one (null: no more). */
  listContacts(cursor?: string | null): Promise<CrmContactPage>;
}

export interface CrmContactPage { contacts: CrmContact[]; nextCursor: string | null }
