import { UserErrors, type UserError } from './user-errors';

/**
 * The simulated shop's stock: locations, one inventory item per variant, and a level per item and location holding
 * `available` and `committed` (ordered, not yet shipped); `on_hand` is their sum. inventorySetQuantities follows
 * Shopify's rules from 2026-04: every quantity carries `changeFromQuantity` (null opts out of the compare), one
 * stale compare refuses the whole call, and an item not yet stocked at a location is stocked by setting it.
 */

export interface SimLocation { id: number; name: string; isActive: boolean }
export interface SimInventoryItem { id: number; variantId: number; sku: string | null; tracked: boolean }
export interface SimLevel { itemId: number; locationId: number; available: number; committed: number; updatedAt: string }

export type SettableName = 'available' | 'on_hand';
/** The quantity names Shopify knows; the ones this shop never holds read 0. */
export const QUANTITY_NAMES = ['available', 'committed', 'damaged', 'incoming', 'on_hand', 'quality_control', 'reserved', 'safety_stock'] as const;
/** Shopify's reasons for a quantity change (inventorySetQuantities refuses any other). */
export const QUANTITY_REASONS = new Set([
  'correction', 'cycle_count_available', 'damaged', 'movement_created', 'movement_updated', 'movement_received', 'movement_canceled', 'other',
  'promotion', 'quality_control', 'received', 'reservation_created', 'reservation_deleted', 'reservation_updated', 'restock', 'safety_stock', 'shrinkage',
]);
export const MAX_QUANTITY = 1_000_000_000;

export interface QuantityChange { itemId: number; locationId: number; name: SettableName; delta: number; quantityAfterChange: number }
export interface AdjustmentGroup { id: number; createdAt: string; reason: string; referenceDocumentUri: string | null; changes: QuantityChange[] }

/** One quantity to set, with the ids already resolved; `changeFromQuantity` undefined means it was left out. */
export interface QuantityToSet { itemId: number | null; locationId: number | null; quantity: number; changeFromQuantity?: number | null }
export interface SetQuantities { name: string; reason: string; referenceDocumentUri: string | null; quantities: QuantityToSet[] }

const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;
const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class SimInventory {
  readonly locations = new Map<number, SimLocation>();
  readonly items = new Map<number, SimInventoryItem>();
  private readonly levels = new Map<string, SimLevel>();
  private primaryId = 0;

  constructor(private readonly nextId: () => number) {
    this.reset();
  }

  get primaryLocation(): SimLocation {
    return this.locations.get(this.primaryId)!;
  }

  reset(): void {
    this.locations.clear();
    this.items.clear();
    this.levels.clear();
    this.primaryId = this.addLocation('Shop location').id;
  }

  addLocation(name: string): SimLocation {
    const location: SimLocation = { id: this.nextId(), name, isActive: true };
    this.locations.set(location.id, location);
    return location;
  }

  /** A variant's inventory item, stocked at the primary location. */
  addItem(variantId: number, sku: string | null, available: number): SimInventoryItem {
    const item: SimInventoryItem = { id: this.nextId(), variantId, sku, tracked: true };
    this.items.set(item.id, item);
    this.stock(item.id, this.primaryId).available = available;
    return item;
  }

  level(itemId: number, locationId: number): SimLevel | undefined {
    return this.levels.get(`${itemId}:${locationId}`);
  }

  levelsOf(itemId: number): SimLevel[] {
    return [...this.locations.keys()].flatMap((locationId) => this.level(itemId, locationId) ?? []);
  }

  allLevels(): SimLevel[] {
    return [...this.levels.values()];
  }

  /** A named quantity of a level; 0 where the item is not stocked. */
  quantity(itemId: number, locationId: number, name: string): number {
    const level = this.level(itemId, locationId);
    if (!level) return 0;
    if (name === 'available') return level.available;
    if (name === 'committed') return level.committed;
    return name === 'on_hand' ? level.available + level.committed : 0;
  }

  /** ProductVariant.inventoryQuantity: available summed over all locations. */
  totalAvailable(itemId: number): number {
    return this.levelsOf(itemId).reduce((sum, l) => sum + l.available, 0);
  }

  /** Validates every quantity first and applies all of them or none; refusals are Shopify's userErrors. */
  setQuantities(input: SetQuantities): AdjustmentGroup {
    const errors = this.problems(input);
    if (errors.length > 0) throw new UserErrors(errors);
    const name = input.name as SettableName;
    const changes = input.quantities.flatMap((q) => this.apply(q.itemId!, q.locationId!, name, q.quantity));
    return { id: this.nextId(), createdAt: nowIso(), reason: input.reason, referenceDocumentUri: input.referenceDocumentUri, changes };
  }

  /** Someone else changing the shop (an admin, another app): no rules, no compare. */
  setDirectly(itemId: number, locationId: number, name: SettableName, quantity: number): QuantityChange[] {
    return this.apply(itemId, locationId, name, quantity);
  }

  /** Does the location hold `quantity` available of every line? The index of the first that falls short, or -1. */
  firstShortLine(lines: Array<{ itemId: number; quantity: number }>, locationId: number): number {
    return lines.findIndex((l) => this.quantity(l.itemId, locationId, 'available') < l.quantity);
  }

  /** An order took stock: available becomes committed until it ships (or is released). */
  commit(lines: Array<{ itemId: number; quantity: number }>, locationId: number): void {
    this.move(lines, locationId, (level, n) => ((level.available -= n), (level.committed += n)));
  }

  /** A cancelled order with restock gives its committed stock back. */
  release(lines: Array<{ itemId: number; quantity: number }>, locationId: number): void {
    this.move(lines, locationId, (level, n) => ((level.committed -= n), (level.available += n)));
  }

  /** A fulfilled order's stock leaves the building: committed (and so on_hand) goes down. */
  ship(lines: Array<{ itemId: number; quantity: number }>, locationId: number): void {
    this.move(lines, locationId, (level, n) => (level.committed -= n));
  }

  private move(lines: Array<{ itemId: number; quantity: number }>, locationId: number, change: (level: SimLevel, n: number) => void): void {
    for (const line of lines) {
      const level = this.stock(line.itemId, locationId);
      change(level, line.quantity);
      level.updatedAt = nowIso();
    }
  }

  private problems(input: SetQuantities): UserError[] {
    const errors: UserError[] = [];
    const at = (i: number, field: string, message: string, code: string) => errors.push({ field: ['input', 'quantities', String(i), field], message, code });
    if (input.name !== 'available' && input.name !== 'on_hand') {
      errors.push({ field: ['input', 'name'], message: "The quantity name must be either 'available' or 'on_hand'.", code: 'INVALID_NAME' });
    }
    if (!QUANTITY_REASONS.has(input.reason)) errors.push({ field: ['input', 'reason'], message: 'The specified reason is invalid.', code: 'INVALID_REASON' });
    if (input.referenceDocumentUri !== null && !URI.test(input.referenceDocumentUri)) {
      errors.push({ field: ['input', 'referenceDocumentUri'], message: 'The specified reference document is invalid.', code: 'INVALID_REFERENCE_DOCUMENT' });
    }
    const seen = new Set<string>();
    input.quantities.forEach((q, i) => {
      if (q.itemId === null || !this.items.has(q.itemId)) at(i, 'inventoryItemId', 'The specified inventory item could not be found.', 'INVALID_INVENTORY_ITEM');
      if (q.locationId === null || !this.locations.get(q.locationId)?.isActive) at(i, 'locationId', 'The specified location could not be found.', 'INVALID_LOCATION');
      if (q.quantity < 0) at(i, 'quantity', "The quantity can't be negative.", 'INVALID_QUANTITY_NEGATIVE');
      if (q.quantity > MAX_QUANTITY) at(i, 'quantity', "The quantity can't be higher than 1,000,000,000.", 'INVALID_QUANTITY_TOO_HIGH');
      const pair = `${q.itemId}:${q.locationId}`;
      if (seen.has(pair)) at(i, 'inventoryItemId', 'The combination of inventoryItemId and locationId must be unique.', 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR');
      seen.add(pair);
      if (q.changeFromQuantity === undefined) {
        at(i, 'changeFromQuantity', 'changeFromQuantity must be given for every quantity; pass null to skip the check.', 'COMPARE_QUANTITY_REQUIRED');
      } else if (q.changeFromQuantity !== null && q.itemId !== null && q.locationId !== null
        && this.quantity(q.itemId, q.locationId, input.name) !== q.changeFromQuantity) {
        at(i, 'changeFromQuantity', 'The changeFromQuantity value does not match persisted value.', 'CHANGE_FROM_QUANTITY_STALE');
      }
    });
    return errors;
  }

  /** Sets one named quantity; the other moves with it (available and on_hand differ by committed only). */
  private apply(itemId: number, locationId: number, name: SettableName, quantity: number): QuantityChange[] {
    const level = this.stock(itemId, locationId);
    const delta = quantity - this.quantity(itemId, locationId, name);
    if (delta === 0) return [];
    level.available += delta;
    level.updatedAt = nowIso();
    return (['available', 'on_hand'] as const).map((n) => ({ itemId, locationId, name: n, delta, quantityAfterChange: this.quantity(itemId, locationId, n) }));
  }

  /** The level, created (stocked with nothing) when the item was not at that location yet. */
  private stock(itemId: number, locationId: number): SimLevel {
    const key = `${itemId}:${locationId}`;
    let level = this.levels.get(key);
    if (!level) {
      level = { itemId, locationId, available: 0, committed: 0, updatedAt: nowIso() };
      this.levels.set(key, level);
    }
    return level;
  }
}
