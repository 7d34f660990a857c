import { z } from 'zod';

/**
 * A connection: one vendor account serving one role for the engine, under an id that bindings, inbox rows,
 * business keys and workflow ids carry (`shopify`, `woocommerce`, `shop-eu`...). Pure: safe in workflows.
 */
export type Role = 'shop' | 'payments' | 'crm';

export interface Connection {
  id: string;
  role: Role;
  vendor: string;
}

export const CONNECTION_ID = /^[a-z][a-z0-9-]{0,39}$/;
export const connectionIdSchema = z.string().regex(CONNECTION_ID, 'a connection id is lower-case letters, digits and dashes, starting with a letter');

/** The vendors each role can use (one connector folder each, registered in connectors/registry.ts). */
export const VENDORS: Record<Role, readonly string[]> = {
  shop: ['shopify', 'woocommerce'],
  payments: ['stripe'],
  crm: ['hubspot'],
};

/**
 * Parses a setting such as `shopify`, `shopify,woocommerce` or `eu=shopify,us=woocommerce`: each item is a vendor,
 * optionally with its own connection id (default: the vendor's name). Errors name the setting and the item.
 */
export function parseConnections(setting: string, role: Role, value: string): Connection[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw new Error(`${setting}: name at least one ${role} vendor (${VENDORS[role].join(', ')})`);
  const connections = items.map((item) => {
    const [id, vendor] = item.includes('=') ? item.split('=', 2).map((s) => s.trim()) : [item, item];
    if (!VENDORS[role].includes(vendor!)) throw new Error(`${setting}: "${vendor}" is not a ${role} vendor we connect to (${VENDORS[role].join(', ')})`);
    if (!CONNECTION_ID.test(id!)) throw new Error(`${setting}: connection id "${id}" must be lower-case letters, digits and dashes, starting with a letter`);
    return { id: id!, role, vendor: vendor! };
  });
  const vendors = connections.map((c) => c.vendor);
  const twice = vendors.find((v, i) => vendors.indexOf(v) !== i);
  // Settings (URLs, keys, secrets) are per vendor today, so one account per vendor.
  if (twice) throw new Error(`${setting}: ${twice} is named twice; one connection per vendor is supported`);
  return connections;
}

/** Every connection of the engine, checked for ids used twice across roles. */
export function allConnections(groups: Connection[][]): Connection[] {
  const all = groups.flat();
  const ids = all.map((c) => c.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`connection id "${twice}" is used twice: give each connection its own id`);
  return all;
}
