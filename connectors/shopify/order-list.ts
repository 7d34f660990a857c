import { z } from 'zod';
import type { ShopOrderPage } from '../../ports/shop';
import type { ShopifyClient } from './client';
import { pageInfoSchema, parseWith } from './mapper';
import type { GraphqlOperation } from './queries';

/**
 * Listing orders by when they last changed (catch-up of orders no webhook announced): Shopify's `orders` search
 * with `updated_at:>=`, oldest change first. Only what decides whether to look at an order is read; the order
 * itself is read with GetOrder by its flow.
 */

export const ORDERS_PAGE = 50;

export const ORDERS_UPDATED_SINCE: GraphqlOperation = {
  name: 'OrdersUpdatedSince',
  query: /* GraphQL */ `
    query OrdersUpdatedSince($first: Int!, $after: String, $query: String) {
      orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
        nodes { legacyResourceId updatedAt cancelledAt }
        pageInfo { hasNextPage endCursor }
      }
    }
  `,
};

const ordersPageSchema = z.object({
  nodes: z.array(z.object({ legacyResourceId: z.string(), updatedAt: z.string(), cancelledAt: z.string().nullable() })),
  pageInfo: pageInfoSchema,
});

/** Shopify's search wants the instant at second precision, quoted, in UTC. */
export const updatedSinceQuery = (sinceIso: string) => `updated_at:>='${new Date(sinceIso).toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;

export async function listOrdersUpdatedSince(client: ShopifyClient, sinceIso: string, cursor?: string | null, first = ORDERS_PAGE): Promise<ShopOrderPage> {
  const data = await client.request<{ orders: unknown }>(ORDERS_UPDATED_SINCE, { first, after: cursor ?? null, query: updatedSinceQuery(sinceIso) });
  const page = parseWith(ordersPageSchema, data.orders);
  return {
    orders: page.nodes.map((o) => ({ id: o.legacyResourceId, updatedAt: new Date(o.updatedAt).toISOString(), cancelled: o.cancelledAt !== null })),
    nextCursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
  };
}
