import type { CrmContact } from '../../domain/lead';
import type { CrmContactPage, CrmPort } from '../../ports/crm';
import { HubspotClient, type HubspotClientOptions } from './client';
import { contactProperties, toCrmContact } from './mapper';

/** The CRM port on HubSpot: contacts, with the ERP number in a contact property of the business's choosing. */
export class HubspotCrm implements CrmPort {
  private readonly client: HubspotClient;
  private readonly erpIdProperty: string;

  constructor(opts: HubspotClientOptions & { erpIdProperty: string }) {
    this.client = new HubspotClient(opts);
    this.erpIdProperty = opts.erpIdProperty;
  }

  async getContact(contactId: string): Promise<CrmContact> {
    return toCrmContact(await this.client.getContact(contactId, contactProperties(this.erpIdProperty)), this.erpIdProperty);
  }

  async writeErpNumber(contactId: string, erpNumber: string | null): Promise<void> {
    // '' clears a HubSpot property.
    await this.client.updateContact(contactId, { [this.erpIdProperty]: erpNumber ?? '' });
  }

  /** HubSpot's basic list (ordered by id, 100 a page at most); `after` is the cursor. */
  async listContacts(cursor?: string | null): Promise<CrmContactPage> {
    const page = await this.client.listContacts({ limit: 100, ...(cursor ? { after: cursor } : {}), properties: contactProperties(this.erpIdProperty) });
    return { contacts: page.results.map((o) => toCrmContact(o, this.erpIdProperty)), nextCursor: page.paging?.next?.after ?? null };
  }
}
