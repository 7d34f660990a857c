import type { GraphqlOperation } from './queries';

/**
 * The Admin GraphQL documents for stock (2026-10). Costs, by Shopify's rules: InventoryPage 2 + 4 × first points
 * (variant, inventory item, level and quantity list per node), InventorySetQuantities 10 + 2 whatever the number
 * of quantities, Locations 3 + first.
 */

/** One location's `available` per variant, paged through all variants (or those a search like `sku:A OR sku:B` finds). */
export const INVENTORY_PAGE: GraphqlOperation = {
  name: 'InventoryPage',
  query: /* GraphQL */ `
    query InventoryPage($first: Int!, $after: String, $query: String, $locationId: ID!) {
      productVariants(first: $first, after: $after, query: $query) {
        nodes {
          id sku
          inventoryItem { id inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } } }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  `,
};

/** Absolute quantities with compare-and-set per quantity; the key is required from 2026-04 (api-version.ts). */
export const INVENTORY_SET_QUANTITIES: GraphqlOperation = {
  name: 'InventorySetQuantities',
  expectedCost: 12,
  query: /* GraphQL */ `
    mutation InventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
      inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
        inventoryAdjustmentGroup { id }
        userErrors { field message code }
      }
    }
  `,
};

/** The shop's locations, and which one is primary (`location` without an id). */
export const LOCATIONS: GraphqlOperation = {
  name: 'Locations',
  query: /* GraphQL */ `
    query Locations($first: Int!, $after: String) {
      primary: location { id }
      locations(first: $first, after: $after) { nodes { id name isActive } pageInfo { hasNextPage endCursor } }
    }
  `,
};
