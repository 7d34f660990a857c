import type { Role } from '../connections/connection';
import type { CrmPort } from '../ports/crm';
import type { PaymentsPort } from '../ports/payments';
import type { ShopPort } from '../ports/shop';
import type { WebhookSource } from '../ports/webhooks';
import { hubspotConnector } from './hubspot';
import { shopifyConnector } from './shopify';
import { stripeConnector } from './stripe';
import { woocommerceConnector } from './woocommerce';
import type { VendorSettings } from './settings';

/**
 * Every vendor the engine connects to: which port it serves and which webhook source it brings. Adding a vendor
 * is one connector folder (client, mapper, webhooks, simulator) and one line here; flows never import connectors.
 */
interface ConnectorBase<R extends Role> {
  vendor: string;
  /** The vendor's name as people write it (summaries, messages). */
  name: string;
  role: R;
  webhooks: WebhookSource;
}
export interface ShopConnector extends ConnectorBase<'shop'> { createShop(settings: VendorSettings): ShopPort }
export interface PaymentsConnector extends ConnectorBase<'payments'> { createPayments(settings: VendorSettings): PaymentsPort }
export interface CrmConnector extends ConnectorBase<'crm'> { createCrm(settings: VendorSettings): CrmPort }
export type Connector = ShopConnector | PaymentsConnector | CrmConnector;

export const CONNECTORS: readonly Connector[] = [shopifyConnector, woocommerceConnector, stripeConnector, hubspotConnector];

export function connectorOf(vendor: string): Connector {
  const found = CONNECTORS.find((c) => c.vendor === vendor);
  if (!found) throw new Error(`no connector for vendor "${vendor}" (known: ${CONNECTORS.map((c) => c.vendor).join(', ')})`);
  return found;
}

/** How people call a connection: the vendor's name, and the connection id when it differs from the vendor. */
export function connectionLabel(connection: { id: string; vendor: string }): string {
  const name = connectorOf(connection.vendor).name;
  return connection.id === connection.vendor ? name : `${name} (${connection.id})`;
}

export function shopConnectorOf(vendor: string): ShopConnector {
  const found = connectorOf(vendor);
  if (found.role !== 'shop') throw new Error(`${vendor} is a ${found.role} connector, not a shop`);
  return found;
}
