import { z } from 'zod';
import { pageInfoSchema, parseWith } from './mapper';

/**
 * Stock in Shopify's terms, pure: the answers of the inventory documents (inventory-queries.ts) validated and
 * mapped, and what an inventorySetQuantities payload means for the caller. No I/O.
 */

/** Shopify refuses any input array longer than this; one inventorySetQuantities call carries at most this many. */
export const MAX_SET_QUANTITIES = 250;
/** The largest page whose requested cost (2 + 4 × first) stays within Shopify's 1000-point single-query limit. */
export const MAX_INVENTORY_PAGE = 249;
export const DEFAULT_INVENTORY_PAGE = 100;

/** One variant's stock at one location; `available` is null when the item is not stocked there. */
export interface ShopifyInventoryRow { sku: string | null; variantId: string; inventoryItemId: string; locationId: string; available: number | null }
export interface ShopifyInventoryPage { items: ShopifyInventoryRow[]; nextCursor: string | null }

/** What to set; `compareQuantity` is the quantity last read (compare-and-set), or null to set without comparing. */
export interface ShopifyQuantityToSet { inventoryItemId: string; locationId: string; quantity: number; compareQuantity: number | null }
/** Applied, or refused as a whole because these quantities changed since they were read (nothing was applied). */
export type ShopifySetInventoryResult = { applied: true; adjustmentGroupId: string | null } | { applied: false; stale: ShopifyQuantityToSet[] };

export interface ShopifyLocation { id: string; name: string; isActive: boolean; primary: boolean }

export interface InventoryUserError { field: string[] | null; message: string; code?: string | null }
/** How the connector acts on a payload: return it, retry the call, or stop (the input is wrong). */
export type SetOutcome =
  | { kind: 'result'; result: ShopifySetInventoryResult }
  | { kind: 'retry'; errors: InventoryUserError[] }
  | { kind: 'refused'; errors: InventoryUserError[] };

const STALE = 'CHANGE_FROM_QUANTITY_STALE';
/** Another call with the same key is still running: the same call later gets its answer. */
const IN_PROGRESS = 'IDEMPOTENCY_CONCURRENT_REQUEST';

const pageSchema = z.object({
  nodes: z.array(z.object({
    id: z.string(),
    sku: z.string().nullable(),
    inventoryItem: z.object({
      id: z.string(),
      inventoryLevel: z.object({ quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })) }).nullable(),
    }),
  })),
  pageInfo: pageInfoSchema,
});

export const setPayloadSchema = z.object({
  inventoryAdjustmentGroup: z.object({ id: z.string() }).nullable(),
  userErrors: z.array(z.object({ field: z.array(z.string()).nullable(), message: z.string(), code: z.string().nullable().optional() })),
});

const locationsSchema = z.object({
  primary: z.object({ id: z.string() }).nullable(),
  locations: z.object({ nodes: z.array(z.object({ id: z.string(), name: z.string(), isActive: z.boolean() })), pageInfo: pageInfoSchema }),
});

export function toInventoryPage(raw: unknown, locationId: string): ShopifyInventoryPage {
  const page = parseWith(pageSchema, raw);
  return {
    items: page.nodes.map((v) => ({
      sku: v.sku,
      variantId: v.id,
      inventoryItemId: v.inventoryItem.id,
      locationId,
      available: v.inventoryItem.inventoryLevel?.quantities.find((q) => q.name === 'available')?.quantity ?? null,
    })),
    nextCursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
  };
}

export function toLocationsPage(raw: unknown): { locations: ShopifyLocation[]; nextCursor: string | null } {
  const data = parseWith(locationsSchema, raw);
  return {
    locations: data.locations.nodes.map((l) => ({ ...l, primary: l.id === data.primary?.id })),
    nextCursor: data.locations.pageInfo.hasNextPage ? data.locations.pageInfo.endCursor : null,
  };
}

/** The mutation's input: every quantity carries changeFromQuantity, null included (leaving it out is refused). */
export function setQuantitiesInput(
  items: readonly ShopifyQuantityToSet[], opts: { name: 'available' | 'on_hand'; reason: string; referenceDocumentUri?: string },
) {
  return {
    name: opts.name,
    reason: opts.reason,
    ...(opts.referenceDocumentUri ? { referenceDocumentUri: opts.referenceDocumentUri } : {}),
    quantities: items.map((i) => ({ inventoryItemId: i.inventoryItemId, locationId: i.locationId, quantity: i.quantity, changeFromQuantity: i.compareQuantity })),
  };
}

/**
 * Reads a payload. Stale compares alone mean "nothing applied, these changed": the items named by the errors'
 * `field` (`input.quantities.<i>.changeFromQuantity`), or every compared item when an error names none.
 */
export function setOutcome(payload: z.infer<typeof setPayloadSchema>, items: readonly ShopifyQuantityToSet[]): SetOutcome {
  const errors = payload.userErrors;
  if (errors.length === 0) return { kind: 'result', result: { applied: true, adjustmentGroupId: payload.inventoryAdjustmentGroup?.id ?? null } };
  if (errors.every((e) => e.code === IN_PROGRESS)) return { kind: 'retry', errors };
  if (!errors.every((e) => e.code === STALE)) return { kind: 'refused', errors: errors.filter((e) => e.code !== STALE) };
  const indexes = errors.map((e) => quantityIndex(e.field, items.length));
  const stale = indexes.includes(null) ? items.filter((i) => i.compareQuantity !== null) : [...new Set(indexes)].sort((a, b) => a! - b!).map((i) => items[i!]!);
  return { kind: 'result', result: { applied: false, stale } };
}

function quantityIndex(field: string[] | null, count: number): number | null {
  const [input, quantities, index] = field ?? [];
  const i = Number(index);
  return input === 'input' && quantities === 'quantities' && Number.isInteger(i) && i >= 0 && i < count ? i : null;
}
