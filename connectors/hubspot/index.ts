import type { CrmConnector } from '../registry';
import { required } from '../settings';
import { HubspotCrm } from './crm-port';
import { hubspotWebhooks } from './webhooks';

/** HubSpot serves the CRM role: CRM v3 contacts through the official client, signature-v3 webhooks. */
export const hubspotConnector: CrmConnector = {
  vendor: 'hubspot',
  name: 'HubSpot',
  role: 'crm',
  webhooks: hubspotWebhooks,
  createCrm: ({ hubspot }) => new HubspotCrm({
    baseUrl: hubspot?.baseUrl ?? 'https://api.hubapi.com',
    accessToken: required(hubspot?.accessToken, 'HUBSPOT_ACCESS_TOKEN', 'HubSpot'),
    erpIdProperty: hubspot?.erpIdProperty ?? 'erp_customer_number',
  }),
};
