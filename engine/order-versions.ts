import type { Queryable } from '../db/transaction';
import { boundShopOrders } from '../erp/sales-orders';
import { orderBusinessKey } from '../workflows/order/api';
import { announcedVersions } from './inbox';
import { broughtVersions } from './write-echo';

/**
 * Which of a shop's orders the ERP knows, and for each the latest version of the order its flow was brought: the
 * one its sales order was made from, one an event brought (`webhook_inbox.source_version`), or, after a write of
 * ours that changed nothing else, the shop's answer to that write (`shop_write_echo.brought_version`). What the
 * order catch-up compares a listed version with (domain/order-catchup.ts).
 */
export interface KnownOrders {
  bound: ReadonlySet<string>;
  /** By shop order id; absent when no version is known (sales orders older than versions). */
  brought: ReadonlyMap<string, Date>;
}

export async function knownOrderVersions(db: Queryable, shop: string, shopOrderIds: readonly string[]): Promise<KnownOrders> {
  const bound = await boundShopOrders(db, shop, shopOrderIds);
  const ids = [...bound.keys()];
  const [byEvents, byOurWrites] = await Promise.all([
    announcedVersions(db, ids.map((id) => orderBusinessKey(shop, id))),
    broughtVersions(db, shop, ids),
  ]);
  const brought = new Map<string, Date>();
  for (const id of ids) {
    const versions = [bound.get(id), byEvents.get(orderBusinessKey(shop, id)), byOurWrites.get(id)].filter((v): v is Date => v instanceof Date);
    if (versions.length > 0) brought.set(id, new Date(Math.max(...versions.map((v) => v.getTime()))));
  }
  return { bound: new Set(ids), brought };
}
