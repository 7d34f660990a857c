import type { Pool } from 'pg';
import type { PaymentsPort } from '../../ports/payments';
import type { ShopPort } from '../../ports/shop';
import { createOrderErpActivities } from './erp';
import { createOrderPaymentActivities } from './payments';
import { createOrderShopActivities, type ShipmentTracking } from './shop';

/** Every activity of the Order -> shop -> ERP flow, by role; the workflow proxies each role with its own policy. */

export interface OrderActivityDeps {
  pool: Pool;
  /** Shop ports by connection id. */
  shops: ReadonlyMap<string, ShopPort>;
  payments: PaymentsPort;
  /** The payments connection's id: the `provider` of the ERP payments it books. */
  paymentsConnection: string;
  defaultPhoneCountry: string;
}

export function createOrderActivities(deps: OrderActivityDeps) {
  const erp = createOrderErpActivities(deps);
  const shop = createOrderShopActivities(deps);
  return {
    ...erp,
    ...shop,
    ...createOrderPaymentActivities({ pool: deps.pool, payments: deps.payments, provider: deps.paymentsConnection }),

    /** Shipping in the ERP and fulfilment in the shop at once: flows started before they became two steps call it. */
    async fulfilOrder(salesOrderId: number, shopOrderId: string, tracking: ShipmentTracking | null, shopConnection = 'shopify'): Promise<void> {
      await erp.shipInErp(salesOrderId);
      await shop.fulfilInShop(shopOrderId, tracking, shopConnection);
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
export type { OrderCustomer } from './erp';
