/**
 * Shopify's inventory types in SDL, as served by 2026-10: locations, inventory items and levels with named
 * quantities, and inventorySetQuantities with `changeFromQuantity` on every quantity (compareQuantity and
 * ignoreCompareQuantity are gone) and the `@idempotent(key:)` directive, which Shopify requires at run time.
 */
export const INVENTORY_SDL = /* GraphQL */ `
  "Makes a mutation idempotent: the same key with the same input returns the first result."
  directive @idempotent(key: String!) on FIELD

  enum InventorySetQuantitiesUserErrorCode {
    CHANGE_FROM_QUANTITY_STALE COMPARE_QUANTITY_REQUIRED COMPARE_QUANTITY_STALE IDEMPOTENCY_CONCURRENT_REQUEST
    IDEMPOTENCY_KEY_PARAMETER_MISMATCH IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED INVALID_INVENTORY_ITEM INVALID_LOCATION INVALID_NAME
    INVALID_QUANTITY_NEGATIVE INVALID_QUANTITY_TOO_HIGH INVALID_QUANTITY_TOO_LOW INVALID_REASON INVALID_REFERENCE_DOCUMENT
    NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR NON_MUTABLE_INVENTORY_ITEM
  }

  type Location implements Node { id: ID! legacyResourceId: String! name: String! isActive: Boolean! fulfillsOnlineOrders: Boolean! }
  type LocationEdge { cursor: String! node: Location! }
  type LocationConnection { nodes: [Location!]! edges: [LocationEdge!]! pageInfo: PageInfo! }

  type InventoryQuantity { id: ID! name: String! quantity: Int! updatedAt: DateTime }
  type InventoryLevel implements Node {
    id: ID! item: InventoryItem! location: Location! updatedAt: DateTime!
    quantities(names: [String!]!): [InventoryQuantity!]!
  }
  type InventoryLevelEdge { cursor: String! node: InventoryLevel! }
  type InventoryLevelConnection { nodes: [InventoryLevel!]! edges: [InventoryLevelEdge!]! pageInfo: PageInfo! }

  type InventoryItem implements Node {
    id: ID! legacyResourceId: String! sku: String tracked: Boolean! variant: ProductVariant!
    inventoryLevel(locationId: ID!): InventoryLevel
    inventoryLevels(first: Int, after: String): InventoryLevelConnection!
  }

  type InventoryChange {
    name: String! delta: Int! quantityAfterChange: Int ledgerDocumentUri: String item: InventoryItem location: Location
  }
  type InventoryAdjustmentGroup implements Node {
    id: ID! createdAt: DateTime! reason: String! referenceDocumentUri: String
    changes(inventoryItemIds: [ID!], locationIds: [ID!], quantityNames: [String!]): [InventoryChange!]!
  }

  input InventoryQuantityInput { inventoryItemId: ID! locationId: ID! quantity: Int! changeFromQuantity: Int }
  input InventorySetQuantitiesInput { name: String! reason: String! referenceDocumentUri: String quantities: [InventoryQuantityInput!]! }
  type InventorySetQuantitiesUserError { field: [String!] message: String! code: InventorySetQuantitiesUserErrorCode }
  type InventorySetQuantitiesPayload { inventoryAdjustmentGroup: InventoryAdjustmentGroup userErrors: [InventorySetQuantitiesUserError!]! }

  extend type ProductVariant { inventoryItem: InventoryItem! }

  extend type Query {
    "Without an id: the shop's primary location."
    location(id: ID): Location
    locations(first: Int, after: String): LocationConnection!
    inventoryItem(id: ID!): InventoryItem
  }

  extend type Mutation {
    inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
  }
`;
