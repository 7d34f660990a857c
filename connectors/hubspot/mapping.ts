import type { EntityMapping } from '../mapping-table';
import { toCrmContact } from './mapper';

const CUSTOMERS = 'erp/customers.ts';

/** A HubSpot contact (CRM v3) onto the engine's CrmContact; the lead flow normalises it (domain/lead.ts) into erp.customer. */
export const HUBSPOT_CONTACT_MAPPING: EntityMapping = {
  vendor: 'hubspot',
  entity: 'Contact (CRM v3 `GET /crm/v3/objects/contacts/{id}`)',
  engineType: 'CrmContact',
  mapper: '`connectors/hubspot/mapper.ts` `toCrmContact`',
  map: (raw) => toCrmContact(raw),
  sample: {
    id: '1752412345678',
    properties: {
      email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', phone: '+44 20 7946 0958', mobilephone: null, company: 'Analytical Engines Ltd',
      country: 'GB', lifecyclestage: 'salesqualifiedlead', erp_customer_number: null,
    },
    createdAt: '2026-01-02T03:04:05.000Z', updatedAt: '2026-01-03T10:00:00Z', archived: false,
  },
  fields: [
    { vendor: 'id', engine: 'id', rule: 'numeric string; the id in workflow ids, business keys and the ERP binding', erp: { column: 'erp.external_ref.external_id', file: 'erp/external-refs.ts' }, example: { value: '77', engine: '77' } },
    { vendor: 'properties.email', engine: 'email', rule: 'blank → `null`; then trimmed and lower-cased by the lead flow', erp: { column: 'erp.customer.email', file: CUSTOMERS }, example: { value: ' ', engine: null } },
    { vendor: 'properties.firstname', engine: 'firstName', rule: 'blank → `null`; then white space collapsed and capitalised', erp: { column: 'erp.customer.first_name', file: CUSTOMERS }, example: { value: 'Grace', engine: 'Grace' } },
    { vendor: 'properties.lastname', engine: 'lastName', rule: 'blank → `null`', erp: { column: 'erp.customer.last_name', file: CUSTOMERS }, example: { value: 'Hopper', engine: 'Hopper' } },
    { vendor: 'properties.phone', engine: 'phone', rule: 'blank → `null`, then `mobilephone`; E.164 by the lead flow (libphonenumber-js, the contact\'s country)', erp: { column: 'erp.customer.phone_e164', file: CUSTOMERS }, example: { value: '+1 415 555 2671', engine: '+1 415 555 2671' } },
    { vendor: 'properties.mobilephone', engine: 'phone', rule: 'read only when `phone` is blank', example: { path: 'properties', value: { email: 'ada@example.com', firstname: 'Ada', phone: '', mobilephone: '+44 7700 900123' }, engine: '+44 7700 900123' } },
    { vendor: 'properties.company', engine: 'company', rule: 'blank → `null`; white space collapsed, case kept', erp: { column: 'erp.customer.company', file: CUSTOMERS }, example: { value: 'Navy', engine: 'Navy' } },
    { vendor: 'properties.country', engine: 'country', rule: 'blank → `null`; only used to read the phone number', example: { value: 'DE', engine: 'DE' } },
    { vendor: 'properties.lifecyclestage', engine: 'lifecycleStage', rule: 'blank → `null`; qualifies at or above `LEAD_QUALIFYING_STAGE`', example: { value: 'customer', engine: 'customer' } },
    { vendor: 'properties.<HUBSPOT_ERP_ID_PROPERTY>', engine: 'erpCustomerNumber', rule: 'default property `erp_customer_number`: the value before the write-back', example: { path: 'properties.erp_customer_number', value: 'C-1001', engine: 'C-1001' } },
    { vendor: 'updatedAt', engine: 'updatedAt', rule: 're-serialised as ISO 8601 UTC', example: { value: '2026-01-04T10:00:00+01:00', engine: '2026-01-04T09:00:00.000Z' } },
  ],
};

export const MAPPINGS: readonly EntityMapping[] = [HUBSPOT_CONTACT_MAPPING];
