import { GraphQLError } from 'graphql';
import { toDecimalString } from '../../../domain/money';
import { connection, type PageArgs } from './connection';
import { QUANTITY_NAMES, type SimInventoryItem, type SimLevel, type SimLocation } from './inventory';
import { gid, parseGid, type ShopifySimState, type SimVariant } from './state';

/**
 * GraphQL views of the catalogue: variants, their inventory items, levels and locations. Fields that take arguments
 * or point back (item -> variant -> item) are functions, resolved only when a query asks for them.
 */

export interface CatalogueContext { state: ShopifySimState; currency: string }

export function variantView(v: SimVariant, c: CatalogueContext) {
  const item = c.state.inventory.items.get(v.inventoryItemId)!;
  return {
    __typename: 'ProductVariant', id: gid('ProductVariant', v.id), legacyResourceId: String(v.id), sku: v.sku, title: v.title,
    price: toDecimalString(v.priceMinor, c.currency), inventoryQuantity: c.state.inventory.totalAvailable(item.id),
    inventoryItem: inventoryItemView(item, c),
  };
}

export function locationView(l: SimLocation) {
  return { __typename: 'Location', id: gid('Location', l.id), legacyResourceId: String(l.id), name: l.name, isActive: l.isActive, fulfillsOnlineOrders: true };
}

export function inventoryItemView(item: SimInventoryItem, c: CatalogueContext) {
  const inventory = c.state.inventory;
  return {
    __typename: 'InventoryItem', id: gid('InventoryItem', item.id), legacyResourceId: String(item.id), sku: item.sku, tracked: item.tracked,
    variant: () => variantView(c.state.variants.get(item.variantId)!, c),
    inventoryLevel: ({ locationId }: { locationId: string }) => {
      const location = parseGid(locationId, 'Location');
      const level = location === null ? undefined : inventory.level(item.id, location);
      return level ? levelView(level, c) : null;
    },
    inventoryLevels: (args: PageArgs) => connection(inventory.levelsOf(item.id), args, (level) => levelView(level, c)),
  };
}

export function levelView(level: SimLevel, c: CatalogueContext) {
  const inventory = c.state.inventory;
  const id = `${level.locationId}?inventory_item_id=${level.itemId}`;
  return {
    __typename: 'InventoryLevel', id: gid('InventoryLevel', id), updatedAt: level.updatedAt,
    item: () => inventoryItemView(inventory.items.get(level.itemId)!, c),
    location: () => locationView(inventory.locations.get(level.locationId)!),
    quantities: ({ names }: { names: string[] }) => names.map((name) => {
      if (!(QUANTITY_NAMES as readonly string[]).includes(name)) {
        throw new GraphQLError(`"${name}" is not a valid quantity name. Valid names: ${QUANTITY_NAMES.join(', ')}.`, { extensions: { code: 'BAD_REQUEST' } });
      }
      const quantity = inventory.quantity(level.itemId, level.locationId, name);
      return { id: gid('InventoryQuantity', `${id}&name=${name}`), name, quantity, updatedAt: level.updatedAt };
    }),
  };
}
