import { randomUUID } from 'node:crypto';
import { HubspotClient } from '../connectors/hubspot/client';
import { ShopifyClient } from '../connectors/shopify/client';
import { StripePayments } from '../connectors/stripe/client';
import { WoocommerceClient } from '../connectors/woocommerce/client';
import { checkout } from '../connectors/shopify/simulator/checkout';
import { woocommerceCheckout } from '../connectors/woocommerce/simulator/checkout';
import { seedErpCatalogue, seedShopifyCatalogue, seedWoocommerceCatalogue } from '../stack/catalogue';
import type { ProductSeed } from '../erp/catalogue';
import type { ReliabilityStack } from './stack';

/**
 * A mixed load through the vendors' simulators, as their users produce it: qualified leads created in the CRM,
 * orders placed in both shops by a storefront checkout paid through Stripe (authorised or captured at once), and
 * partial refunds of captured payments made at the provider. What was made is recorded, so the invariants can ask
 * every system about exactly these.
 */

export interface LoadSize { leads: number; orders: number; refunds: number }

export const LOAD: Record<'tiny' | 'short' | 'full', LoadSize> = {
  tiny: { leads: 2, orders: 4, refunds: 2 },
  short: { leads: 5, orders: 10, refunds: 5 },
  full: { leads: 40, orders: 80, refunds: 30 },
};

export const CATALOGUE: ProductSeed[] = [
  { sku: 'REL-TEE', name: 'Reliability tee', unitPriceMinor: 2500, currency: 'USD', onHand: 5000 },
  { sku: 'REL-MUG', name: 'Reliability mug', unitPriceMinor: 1450, currency: 'USD', onHand: 5000 },
  { sku: 'REL-CAP', name: 'Reliability cap', unitPriceMinor: 1999, currency: 'USD', onHand: 5000 },
];

export interface PlacedLead { contactId: string; email: string }
export interface PlacedOrder { shop: 'shopify' | 'woocommerce'; orderId: string; paymentIntentId: string; totalMinor: number; captured: boolean }
export interface PlacedRefund { paymentIntentId: string; refundId: string; amountMinor: number }
export interface Placed { leads: PlacedLead[]; orders: PlacedOrder[]; refunds: PlacedRefund[]; errors: string[] }

export function vendorClients(stack: ReliabilityStack) {
  const c = stack.credentials;
  return {
    crm: new HubspotClient({ baseUrl: stack.hubspot.url, accessToken: c.hubspotToken }),
    shopify: new ShopifyClient({ baseUrl: stack.shopify.url, accessToken: c.shopifyToken, apiVersion: '2026-10' }),
    woo: new WoocommerceClient({ baseUrl: stack.woocommerce.url, consumerKey: c.wooKey, consumerSecret: c.wooSecret }),
    stripe: new StripePayments({ baseUrl: stack.stripe.url, apiKey: c.stripeKey }),
  };
}

export async function seedCatalogue(stack: ReliabilityStack): Promise<void> {
  await seedErpCatalogue(stack.pool, CATALOGUE);
  await seedShopifyCatalogue(stack.shopify.url, CATALOGUE);
  await seedWoocommerceCatalogue(stack.woocommerce.url, CATALOGUE);
}

/** Retries a storefront or CRM call the load makes itself (the simulators may be faulted): a user would click again. */
export async function persistently<T>(what: string, call: () => Promise<T>, errors: string[], attempts = 8): Promise<T | undefined> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt === attempts) errors.push(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
  return undefined;
}

/**
 * Runs the load, `concurrency` operations at a time; `during` is called between operations with the share done
 * (0..1) so a scenario can time its faults against the load.
 */
export async function runLoad(stack: ReliabilityStack, size: LoadSize, during: (done: number) => Promise<void> = async () => undefined): Promise<Placed> {
  const v = vendorClients(stack);
  const placed: Placed = { leads: [], orders: [], refunds: [], errors: [] };
  const run = `${Date.now().toString(36)}`;
  // Every lead its own phone number (the same one would make a later lead an ambiguous match for an operator).
  const phoneBase = 2_000_000 + Math.floor(Math.random() * 7_000_000);
  const ops: Array<() => Promise<void>> = [];
  for (let i = 0; i < size.leads; i++) {
    ops.push(async () => {
      const email = `lead.${run}.${i}@reliability.example`;
      const contact = await persistently(`lead ${i}`, () => v.crm.createContact({
        email, firstname: `Lead${i}`, lastname: `Run${run}`, company: `Company ${i} ${run}`, phone: `+1415${phoneBase + i}`, lifecyclestage: 'salesqualifiedlead',
      }), placed.errors);
      if (contact) placed.leads.push({ contactId: contact.id, email });
    });
  }
  for (let i = 0; i < size.orders; i++) {
    ops.push(async () => {
      const shop = i % 2 === 0 ? 'shopify' : 'woocommerce';
      const product = CATALOGUE[i % CATALOGUE.length]!;
      const captured = i % 2 === 1 || i < size.refunds * 2;
      // Every order its own total: a payment whose checkout names no order is matched by amount, and two open orders
      // of one amount make that match ambiguous (see docs/reliability.md, "Findings").
      const shippingMinor = 499 + i;
      const spec = {
        lines: [{ sku: product.sku, title: product.name, quantity: 1 + (i % 3), unitPriceMinor: product.unitPriceMinor }],
        payment: captured ? 'captured' as const : 'authorized' as const, shippingMinor,
        email: `buyer.${run}.${i}@reliability.example`, firstName: `Buyer${i}`, lastName: `Run${run}`,
      };
      const result = await persistently(`order ${i}`, () => shop === 'shopify'
        ? checkout(v.shopify, v.stripe, spec)
        : woocommerceCheckout({ url: stack.woocommerce.url }, v.woo, v.stripe, spec), placed.errors);
      if (!result?.paymentIntentId) return;
      const totalMinor = spec.lines[0]!.quantity * product.unitPriceMinor + shippingMinor;
      placed.orders.push({ shop, orderId: result.order.id, paymentIntentId: result.paymentIntentId, totalMinor, captured });
    });
  }
  // The share spans the whole load (refunds included), so a fault timed "at half the load" comes at half of it.
  const planned = ops.length + size.refunds;
  await runConcurrently(ops, 3, async (share) => during((share * ops.length) / planned));

  // Partial refunds of payments captured at checkout, made at the provider (as support staff do in Stripe's dashboard).
  const refundable = placed.orders.filter((o) => o.captured).slice(0, size.refunds);
  const refundOps = refundable.map((order, i) => async () => {
    const amountMinor = 100 + i;
    const refund = await persistently(`refund ${i}`, () => v.stripe.createRefund({ paymentIntentId: order.paymentIntentId, amountMinor, reason: 'requested_by_customer', idempotencyKey: randomUUID() }), placed.errors);
    if (refund) placed.refunds.push({ paymentIntentId: order.paymentIntentId, refundId: refund.id, amountMinor });
  });
  await runConcurrently(refundOps, 3, async (share) => during((ops.length + share * refundOps.length) / (ops.length + refundOps.length)));
  await during(1);
  return placed;
}

async function runConcurrently(ops: Array<() => Promise<void>>, concurrency: number, during: (done: number) => Promise<void>): Promise<void> {
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < ops.length) {
      const op = ops[next++]!;
      await op();
      done++;
      await during(done / ops.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}
