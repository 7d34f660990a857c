import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimLevel } from './inventory';
import { gid, parseGid, type ShopifySimState } from './state';

/**
 * Control routes for the shop's stock: read every level, and change one directly the way a merchant or another app
 * would (drift the integration must notice), plus extra locations. No auth, no faults, no throttling, no rules.
 */

const setBody = z.object({
  sku: z.string().min(1).optional(),
  inventoryItemId: z.string().min(1).optional(),
  /** Default: the primary location. */
  locationId: z.string().min(1).optional(),
  name: z.enum(['available', 'on_hand']).default('available'),
  quantity: z.number().int().min(0),
}).strict().refine((b) => (b.sku === undefined) !== (b.inventoryItemId === undefined), 'give exactly one of sku and inventoryItemId');
const locationBody = z.object({ name: z.string().min(1) }).strict();

export function registerInventoryRoutes(app: FastifyInstance, state: ShopifySimState): void {
  const inventory = state.inventory;
  const levelJson = (level: SimLevel) => ({
    sku: inventory.items.get(level.itemId)?.sku ?? null,
    variantId: gid('ProductVariant', inventory.items.get(level.itemId)!.variantId),
    inventoryItemId: gid('InventoryItem', level.itemId),
    locationId: gid('Location', level.locationId),
    available: level.available,
    committed: level.committed,
    onHand: level.available + level.committed,
  });

  app.get('/__sim/inventory', async () => ({
    primaryLocationId: gid('Location', inventory.primaryLocation.id),
    locations: [...inventory.locations.values()].map((l) => ({ id: gid('Location', l.id), name: l.name, isActive: l.isActive })),
    levels: inventory.allLevels().map(levelJson),
  }));

  app.post('/__sim/inventory', async (request, reply) => {
    const body = setBody.parse(request.body ?? {});
    const item = body.sku !== undefined
      ? [...inventory.items.values()].find((i) => i.sku === body.sku)
      : inventory.items.get(parseGid(body.inventoryItemId!, 'InventoryItem') ?? -1);
    if (!item) return reply.code(404).send({ errors: `no inventory item ${body.sku ?? body.inventoryItemId}` });
    const locationId = body.locationId === undefined ? inventory.primaryLocation.id : parseGid(body.locationId, 'Location');
    if (locationId === null || !inventory.locations.has(locationId)) return reply.code(404).send({ errors: `no location ${body.locationId}` });
    inventory.setDirectly(item.id, locationId, body.name, body.quantity);
    return levelJson(inventory.level(item.id, locationId)!);
  });

  app.post('/__sim/locations', async (request, reply) => {
    const location = inventory.addLocation(locationBody.parse(request.body ?? {}).name);
    return reply.code(201).send({ id: gid('Location', location.id), name: location.name, isActive: location.isActive });
  });
}
