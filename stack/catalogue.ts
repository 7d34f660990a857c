import type { Pool } from 'pg';
import { toDecimalString } from '../domain/money';
import { upsertProductWithStock, type ProductSeed } from '../erp/catalogue';

/** The small demo catalogue `npm start` seeds: products with SKUs and stock in the ERP, the same variants in the shop. */
export const DEMO_CATALOGUE: ProductSeed[] = [
  { sku: 'TEE-BLK-M', name: 'Organic T-shirt, black, M', unitPriceMinor: 2500, currency: 'USD', onHand: 40 },
  { sku: 'TEE-WHT-L', name: 'Organic T-shirt, white, L', unitPriceMinor: 2500, currency: 'USD', onHand: 25 },
  { sku: 'MUG-CER-350', name: 'Ceramic mug 350 ml', unitPriceMinor: 1450, currency: 'USD', onHand: 60 },
  { sku: 'CAP-NAVY', name: 'Baseball cap, navy', unitPriceMinor: 1999, currency: 'USD', onHand: 12 },
  { sku: 'POSTER-A2', name: 'Poster A2, limited print', unitPriceMinor: 3900, currency: 'USD', onHand: 3 },
];

/** Seeds the ERP side; the shop side is seeded through each shop simulator's control API. */
export async function seedErpCatalogue(pool: Pool, products: ProductSeed[] = DEMO_CATALOGUE): Promise<void> {
  for (const product of products) await upsertProductWithStock(pool, product);
}

/** Posts the products to a simulator's control API in its own vendor's shape. */
async function seedSimulator(vendor: string, simUrl: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${simUrl}/__sim/products`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`seeding the ${vendor} simulator failed: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

export function seedShopifyCatalogue(simUrl: string, products: ProductSeed[] = DEMO_CATALOGUE): Promise<unknown> {
  const price = (p: ProductSeed) => toDecimalString(p.unitPriceMinor, p.currency);
  return seedSimulator('Shopify', simUrl, products.map((p) => ({ sku: p.sku, title: p.name, price: price(p), inventoryQuantity: p.onHand })));
}

export function seedWoocommerceCatalogue(simUrl: string, products: ProductSeed[] = DEMO_CATALOGUE): Promise<unknown> {
  const price = (p: ProductSeed) => toDecimalString(p.unitPriceMinor, p.currency);
  return seedSimulator('WooCommerce', simUrl, products.map((p) => ({ sku: p.sku, name: p.name, price: price(p), stock_quantity: p.onHand })));
}
