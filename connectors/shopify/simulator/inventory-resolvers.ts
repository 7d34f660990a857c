import { getDirectiveValues, GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { connection, type PageArgs } from './connection';
import { inventoryItemView, locationView, type CatalogueContext } from './catalogue-views';
import type { AdjustmentGroup, SetQuantities } from './inventory';
import { gid, parseGid } from './state';
import { UserErrors, type UserError } from './user-errors';

/** The inventory part of the root value: locations, inventory items, and inventorySetQuantities under @idempotent. */

interface QuantityInput { inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity?: number | null }
interface SetQuantitiesArgs { input: { name: string; reason: string; referenceDocumentUri?: string | null; quantities: QuantityInput[] } }
/** What a key keeps: the payload's data, refusals included, so a replay answers exactly as the first call did. */
interface SetAnswer { group: AdjustmentGroup | null; userErrors: UserError[] }

/** Shopify's limit on every input array. */
export const MAX_INPUT_ARRAY = 250;

/** The `@idempotent(key:)` on the mutation field, with variables applied; undefined when absent or blank. */
function idempotencyKey(info: GraphQLResolveInfo): string | undefined {
  const directive = info.schema.getDirective('idempotent');
  const values = directive ? getDirectiveValues(directive, info.fieldNodes[0]!, info.variableValues) : undefined;
  const key = values?.key;
  return typeof key === 'string' && key.trim() !== '' ? key : undefined;
}

function resolved(input: SetQuantitiesArgs['input']): SetQuantities {
  return {
    name: input.name,
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    quantities: input.quantities.map((q) => ({
      itemId: parseGid(q.inventoryItemId, 'InventoryItem'),
      locationId: parseGid(q.locationId, 'Location'),
      quantity: q.quantity,
      // Left out and null differ: null opts out of the compare, leaving it out is refused.
      ...('changeFromQuantity' in q ? { changeFromQuantity: q.changeFromQuantity } : {}),
    })),
  };
}

function groupView(group: AdjustmentGroup, c: CatalogueContext) {
  const inventory = c.state.inventory;
  interface ChangesArgs { inventoryItemIds?: string[] | null; locationIds?: string[] | null; quantityNames?: string[] | null }
  return {
    __typename: 'InventoryAdjustmentGroup', id: gid('InventoryAdjustmentGroup', group.id), createdAt: group.createdAt, reason: group.reason,
    referenceDocumentUri: group.referenceDocumentUri,
    changes: (args: ChangesArgs) => group.changes
      .filter((ch) => !args.inventoryItemIds || args.inventoryItemIds.includes(gid('InventoryItem', ch.itemId)))
      .filter((ch) => !args.locationIds || args.locationIds.includes(gid('Location', ch.locationId)))
      .filter((ch) => !args.quantityNames || args.quantityNames.includes(ch.name))
      .map((ch) => ({
        name: ch.name, delta: ch.delta, quantityAfterChange: ch.quantityAfterChange, ledgerDocumentUri: null,
        item: inventoryItemView(inventory.items.get(ch.itemId)!, c), location: locationView(inventory.locations.get(ch.locationId)!),
      })),
  };
}

export function inventoryResolvers(c: CatalogueContext) {
  const { state } = c;
  const inventory = state.inventory;

  const setQuantities = (input: SetQuantitiesArgs['input']): SetAnswer => {
    try {
      return { group: inventory.setQuantities(resolved(input)), userErrors: [] };
    } catch (err) {
      if (err instanceof UserErrors) return { group: null, userErrors: err.errors };
      throw err;
    }
  };

  return {
    location: ({ id }: { id?: string | null }) => {
      if (!id) return locationView(inventory.primaryLocation);
      const n = parseGid(id, 'Location');
      const location = n === null ? undefined : inventory.locations.get(n);
      return location ? locationView(location) : null;
    },
    locations: (args: PageArgs) => connection([...inventory.locations.values()], args, locationView),
    inventoryItem: ({ id }: { id: string }) => {
      const n = parseGid(id, 'InventoryItem');
      const item = n === null ? undefined : inventory.items.get(n);
      return item ? inventoryItemView(item, c) : null;
    },

    inventorySetQuantities: ({ input }: SetQuantitiesArgs, _context: unknown, info: GraphQLResolveInfo) => {
      if (input.quantities.length > MAX_INPUT_ARRAY) {
        throw new GraphQLError(`The input array size of ${input.quantities.length} is greater than the maximum allowed of ${MAX_INPUT_ARRAY}.`, {
          extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
        });
      }
      const key = idempotencyKey(info);
      if (key === undefined) {
        throw new GraphQLError('inventorySetQuantities requires the @idempotent directive with a key (API versions 2026-04 and later).', {
          extensions: { code: 'BAD_REQUEST' },
        });
      }
      let answer: SetAnswer;
      try {
        answer = state.idempotency.once('inventorySetQuantities', key, input, () => setQuantities(input));
      } catch (err) {
        if (!(err instanceof UserErrors)) throw err;
        answer = { group: null, userErrors: err.errors };
      }
      return { inventoryAdjustmentGroup: answer.group && groupView(answer.group, c), userErrors: answer.userErrors };
    },
  };
}
