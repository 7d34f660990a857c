import type { IncomingHttpHeaders } from 'node:http';
import { SHOPIFY_API_VERSION } from '../../connectors/shopify/api-version';
import { ShopifyClient, ShopifyUserError, type ShopifyOrderCreateInput } from '../../connectors/shopify/client';
import { JsonHttpClient } from '../../connectors/http';
import { totalsProblem } from '../../domain/order-customer';
import { parseShopify } from '../../connectors/shopify/webhooks';
import { verifyShopify } from '../../connectors/shopify/signature';
import { supportedApiVersions } from '../../connectors/shopify/simulator/api-versions';
import { startShopifySimulator, type ShopifySimulator } from '../../connectors/shopify/simulator/server';
import { failure, waitFor, WebhookReceiver } from '../support/webhook-receiver';

/** The Shopify simulator driven over HTTP by the real connector, with a stand-in relay receiving its webhooks. */

const TOKEN = 'shpat_test';
const SECRET = 'test-shopify-secret';
const VERSION = SHOPIFY_API_VERSION;
/** The simulator's clock for its version window, pinned so that these tests do not age. */
const TODAY = new Date('2026-11-30T12:00:00Z');

interface Received { headers: IncomingHttpHeaders; raw: Buffer; body: Record<string, unknown> }

/** Stands in for the relay; `topics()` lists the X-Shopify-Topic of each delivery. */
class Receiver extends WebhookReceiver<Received> {
  constructor() {
    super((raw, req) => ({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> }));
  }
  topics(): string[] {
    return this.received.map((r) => String(r.headers['x-shopify-topic']));
  }
}

const vendorError = (call: () => Promise<unknown>) => failure(call);

const header = (r: Received, name: string) => r.headers[name] as string | undefined;
const money = (amount: string, currencyCode = 'USD') => ({ shopMoney: { amount, currencyCode } });

/** 3 × 19.99 − 5.00 discount + 4.90 shipping + 10.99 tax = 70.86, authorised by a Stripe PaymentIntent. */
const mugOrder = (variantId: string, extra: Partial<ShopifyOrderCreateInput> = {}): ShopifyOrderCreateInput => ({
  email: 'ada@example.com',
  currency: 'USD',
  lineItems: [{ variantId, quantity: 3, priceSet: money('19.99') }],
  shippingAddress: { firstName: 'Ada', lastName: 'Lovelace', address1: '12 St James Sq', city: 'London', zip: 'SW1Y 4JH', countryCode: 'GB', phone: '+44 20 7946 0958' },
  customer: { toUpsert: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' } },
  transactions: [{ kind: 'AUTHORIZATION', status: 'SUCCESS', gateway: 'stripe', authorizationCode: 'pi_3QxTest123', amountSet: money('70.86') }],
  shippingLines: [{ title: 'Standard', priceSet: money('4.90') }],
  taxLines: [{ title: 'VAT', rate: '0.2', priceSet: money('10.99') }],
  discountCode: { itemFixedDiscountCode: { code: 'WELCOME5', amountSet: money('5.00') } },
  tags: ['web', 'first-order'],
  note: 'leave at the door',
  ...extra,
});

describe('Shopify simulator with the Shopify connector', () => {
  const receiver = new Receiver();
  let sim: ShopifySimulator;
  let shopify: ShopifyClient;
  let control: JsonHttpClient;
  const graphqlUrl = () => `${sim.url}/admin/api/${VERSION}/graphql.json`;
  const rawGraphql = (query: string, variables: Record<string, unknown> = {}, token = TOKEN) =>
    fetch(graphqlUrl(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': token }, body: JSON.stringify({ query, variables }) });

  const mugAvailable = () => sim.state.inventory.totalAvailable(sim.state.variants.values().next().value!.inventoryItemId);
  const seedMug = async (inventoryQuantity = 10) => {
    const { variants } = await control.post<{ variants: Array<{ id: string }> }>('/__sim/products', [{ sku: 'MUG-1', title: 'Mug', price: '19.99', inventoryQuantity }]);
    return variants[0]!.id;
  };

  beforeAll(async () => {
    await receiver.start();
    sim = await startShopifySimulator({
      port: 0, accessToken: TOKEN, webhookSecret: SECRET, webhookTargetUrl: `${receiver.url}/webhooks/shopify`, shopDomain: 'test-shop.myshopify.com',
      apiVersion: VERSION, now: () => TODAY, logger: false, webhookRetry: { baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 1000 },
    });
    shopify = new ShopifyClient({ baseUrl: sim.url, accessToken: TOKEN, apiVersion: VERSION });
    control = new JsonHttpClient({ vendor: 'shopify-sim', baseUrl: sim.url });
  });

  afterEach(async () => {
    await sim.webhooks.idle();
    await control.post('/__sim/reset', {});
    receiver.received = [];
    receiver.failNext = [];
    // A fresh client: its view of the bucket belongs to the previous test's shop.
    shopify = new ShopifyClient({ baseUrl: sim.url, accessToken: TOKEN, apiVersion: VERSION });
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('creates an order and sends orders/create signed like Shopify, which the relay parser accepts', async () => {
    const order = await shopify.createOrder(mugOrder(await seedMug()));
    await waitFor(() => receiver.received.length === 1, 'the orders/create webhook');
    const hook = receiver.received[0]!;

    expect(verifyShopify({ secret: SECRET, rawBody: hook.raw, signature: header(hook, 'x-shopify-hmac-sha256') })).toEqual({ ok: true });
    expect(verifyShopify({ secret: SECRET, rawBody: Buffer.from(hook.raw.toString().replace('70.86', '0.01')), signature: header(hook, 'x-shopify-hmac-sha256') }).ok).toBe(false);
    expect(hook.headers).toMatchObject({
      'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': 'test-shop.myshopify.com', 'x-shopify-api-version': VERSION,
      'content-type': 'application/json',
    });
    expect(header(hook, 'x-shopify-webhook-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(header(hook, 'x-shopify-event-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Date.parse(header(hook, 'x-shopify-triggered-at')!) - Date.now())).toBeLessThan(10_000);

    expect(hook.body).toMatchObject({
      id: Number(order.id), admin_graphql_api_id: order.gid, name: '#1001', email: 'ada@example.com', currency: 'USD',
      financial_status: 'authorized', total_price: '70.86', subtotal_price: '54.97', total_discounts: '5.00', total_tax: '10.99',
      tags: 'web, first-order', cancelled_at: null, fulfillment_status: null,
    });
    expect(hook.body.line_items).toEqual([expect.objectContaining({ sku: 'MUG-1', quantity: 3, price: '19.99', title: 'Mug' })]);
    expect(String(hook.body.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    const parsed = parseShopify('shopify', hook.raw, { 'x-shopify-topic': header(hook, 'x-shopify-topic'), 'x-shopify-webhook-id': header(hook, 'x-shopify-webhook-id') });
    expect(parsed.ok && parsed.events.map((e) => [e.eventId, e.topic, e.businessKey])).toEqual([[header(hook, 'x-shopify-webhook-id'), 'orders/create', `shopify:order:${order.id}`]]);
  });

  it('reads the order back with exact money in minor units and the Stripe PaymentIntent', async () => {
    const created = await shopify.createOrder(mugOrder(await seedMug()));
    const order = await shopify.getOrder(created.id);
    expect(order).toEqual(created);
    expect(await shopify.getOrder(created.gid)).toEqual(order);
    expect(order).toMatchObject({
      name: '#1001', currency: 'USD', email: 'ada@example.com', financialStatus: 'AUTHORIZED', cancelledAt: null,
      subtotalMinor: 5997, discountMinor: 500, shippingMinor: 490, taxMinor: 1099, totalMinor: 7086,
      lines: [{ sku: 'MUG-1', title: 'Mug', quantity: 3, unitPriceMinor: 1999 }],
      payment: { gateway: 'stripe', paymentId: 'pi_3QxTest123', kind: 'authorised', amountMinor: 7086 },
      customer: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', phone: null },
      shippingAddress: { name: 'Ada Lovelace', city: 'London', countryCode: 'GB', address2: null },
      tags: ['web', 'first-order'],
    });
    expect(order.id).toMatch(/^\d+$/);
    expect(order.gid).toBe(`gid://shopify/Order/${order.id}`);
    expect(order.createdAt).toMatch(/Z$/);
    expect(totalsProblem(order)).toBeNull();
  });

  it('maps a paid order without a Stripe payment, in a currency without decimals, and sends orders/paid too', async () => {
    const order = await shopify.createOrder({
      currency: 'JPY', email: 'ken@example.jp',
      lineItems: [{ title: 'Tea', sku: 'TEA-1', quantity: 2, priceSet: money('1500', 'JPY') }],
      transactions: [{ kind: 'SALE', gateway: 'manual', amountSet: money('3000', 'JPY') }],
    });
    expect(order).toMatchObject({ currency: 'JPY', totalMinor: 3000, subtotalMinor: 3000, financialStatus: 'PAID', payment: null, customer: null });
    await waitFor(() => receiver.received.length === 2, 'orders/create and orders/paid');
    expect(receiver.topics()).toEqual(['orders/create', 'orders/paid']);
    expect(receiver.received[1]!.body).toMatchObject({ financial_status: 'paid', total_price: '3000', currency: 'JPY' });
  });

  it('reads every line of an order longer than one page', async () => {
    const lineItems = Array.from({ length: 120 }, (_, i) => ({ title: `Part ${i}`, sku: `P-${i}`, quantity: 1 + (i % 3), priceSet: money(`${i}.05`) }));
    const created = await shopify.createOrder({ currency: 'USD', lineItems });
    expect(created.lines).toHaveLength(120);
    expect(created.lines[119]).toMatchObject({ sku: 'P-119', quantity: 1 + (119 % 3), unitPriceMinor: 11_905 });
    expect(created.subtotalMinor).toBe(lineItems.reduce((sum, l, i) => sum + l.quantity * (i * 100 + 5), 0));
    expect(created.totalMinor).toBe(created.subtotalMinor);
    expect(sim.faults.requestCount('POST', '/admin/api/:version/graphql.json')).toBe(3); // orderCreate + two more pages
  });

  it('answers a missing order with a 404 VendorHttpError and refuses bad input with a permanent ShopifyUserError', async () => {
    const missing = await vendorError(() => shopify.getOrder('123'));
    expect([missing.status, missing.statusClass]).toEqual([404, 'permanent']);

    const variantId = await seedMug();
    const unknown = await vendorError(() => shopify.createOrder(mugOrder('gid://shopify/ProductVariant/1')));
    expect(unknown).toBeInstanceOf(ShopifyUserError);
    expect([unknown.status, unknown.statusClass]).toEqual([422, 'permanent']);
    expect(unknown.message).toContain('order.lineItems.0.variantId');

    const cents = await vendorError(() => shopify.createOrder(mugOrder(variantId, { lineItems: [{ variantId, quantity: 1, priceSet: money('19.999') }] })));
    expect(cents.message).toContain('order.lineItems.0.priceSet.shopMoney.amount');
    const currency = await vendorError(() => shopify.createOrder(mugOrder(variantId, { shippingLines: [{ title: 'x', priceSet: money('1.00', 'EUR') }] })));
    expect(currency.message).toContain('order.shippingLines.0.priceSet.shopMoney.currencyCode');
    expect(sim.state.orders.size).toBe(0);
  });

  it('tags and notes send orders/updated; adding a tag already there changes nothing', async () => {
    const order = await shopify.createOrder(mugOrder(await seedMug()));
    await shopify.addTags(order.id, ['erp:SO-10001']);
    await shopify.addTags(order.gid, ['ERP:so-10001', 'web']);
    await shopify.setNote(order.id, 'ERP order SO-10001');
    await waitFor(() => receiver.received.length === 3, 'create + two updates');
    expect(receiver.topics()).toEqual(['orders/create', 'orders/updated', 'orders/updated']);
    expect(receiver.received[1]!.body.tags).toBe('web, first-order, erp:SO-10001');
    expect(receiver.received[2]!.body.note).toBe('ERP order SO-10001');
    expect((await shopify.getOrder(order.id)).tags).toEqual(['web', 'first-order', 'erp:SO-10001']);
    expect((await vendorError(() => shopify.addTags('999', ['x']))).message).toContain('Order does not exist');
  });

  it('cancels once (orders/cancelled + orders/updated, authorisation voided); a second cancel is a quiet success', async () => {
    const variantId = await seedMug();
    const order = await shopify.createOrder(mugOrder(variantId), { inventoryBehaviour: 'DECREMENT_OBEYING_POLICY' });
    expect(mugAvailable()).toBe(7);

    expect(await shopify.cancelOrder(order.id, { reason: 'CUSTOMER', refund: true, restock: true })).toMatchObject({ alreadyCancelled: false, jobId: expect.stringMatching(/^gid:\/\/shopify\/Job\//) });
    expect(await shopify.cancelOrder(order.id, { reason: 'CUSTOMER', refund: true, restock: true })).toEqual({ alreadyCancelled: true, jobId: null });
    await waitFor(() => receiver.received.length === 3, 'create + cancelled + updated');
    expect(receiver.topics()).toEqual(['orders/create', 'orders/cancelled', 'orders/updated']);
    expect(receiver.received[1]!.body).toMatchObject({ cancel_reason: 'customer', financial_status: 'voided' });
    expect(receiver.received[1]!.body.cancelled_at).not.toBeNull();
    expect(mugAvailable()).toBe(10);
    expect((await shopify.getOrder(order.id)).cancelledAt).toMatch(/Z$/);

    // The raw mutation on a cancelled order is refused with Shopify's own user error.
    const again = await shopify.request<{ orderCancel: { orderCancelUserErrors: Array<{ code: string; message: string }> } }>(
      { name: 'Again', query: 'mutation Again($id: ID!) { orderCancel(orderId: $id, reason: OTHER, refund: false, restock: false) { orderCancelUserErrors { code message } } }' },
      { id: order.gid },
    );
    expect(again.orderCancel.orderCancelUserErrors).toEqual([{ code: 'INVALID', message: 'Cannot cancel an order that has already been cancelled' }]);
  });

  it('fulfils the open fulfillment order with tracking (orders/updated); fulfilling again is a success; a fulfilled order cannot be cancelled', async () => {
    const order = await shopify.createOrder(mugOrder(await seedMug()));
    const first = await shopify.createFulfillment(order.id, { number: '1Z999', company: 'UPS' });
    expect(first).toMatchObject({ alreadyFulfilled: false, fulfillmentId: expect.stringMatching(/^gid:\/\/shopify\/Fulfillment\/\d+$/) });
    expect(await shopify.createFulfillment(order.id, { number: '1Z999', company: 'UPS' })).toEqual({ alreadyFulfilled: true, fulfillmentId: null });
    await waitFor(() => receiver.received.length === 2, 'create + updated');
    expect(receiver.topics()).toEqual(['orders/create', 'orders/updated']);
    expect(receiver.received[1]!.body).toMatchObject({ fulfillment_status: 'fulfilled' });
    expect(receiver.received[1]!.body.fulfillments).toEqual([expect.objectContaining({ tracking_number: '1Z999', tracking_company: 'UPS', status: 'success' })]);

    const refused = await vendorError(() => shopify.cancelOrder(order.id, { reason: 'OTHER', refund: false, restock: false }));
    expect(refused).toBeInstanceOf(ShopifyUserError);
    expect(refused.message).toContain('Cannot cancel an order that has been fulfilled');

    const cancelled = await shopify.createOrder(mugOrder((await seedMug()), { email: 'b@example.com' }));
    await shopify.cancelOrder(cancelled.id, { reason: 'OTHER', refund: false, restock: false });
    expect((await vendorError(() => shopify.createFulfillment(cancelled.id))).message).toContain('no open fulfillment order (CANCELLED)');
  });

  it('reads an order cancelled before shipping as FULFILLMENT_NOT_REQUIRED from 2026-10 on, UNFULFILLED before', async () => {
    const order = await shopify.createOrder(mugOrder(await seedMug()));
    await shopify.cancelOrder(order.id, { reason: 'CUSTOMER', refund: false, restock: false });
    const statusIn = async (version: string) => {
      const res = await fetch(`${sim.url}/admin/api/${version}/graphql.json`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
        body: JSON.stringify({ query: 'query($id: ID!) { order(id: $id) { displayFulfillmentStatus } }', variables: { id: order.gid } }),
      });
      return ((await res.json()) as { data: { order: { displayFulfillmentStatus: string } } }).data.order.displayFulfillmentStatus;
    };
    expect(await statusIn('2026-10')).toBe('FULFILLMENT_NOT_REQUIRED');
    expect(await statusIn('2026-07')).toBe('UNFULFILLED');
    expect((await vendorError(() => shopify.createFulfillment(order.id))).message).toContain('no open fulfillment order (CANCELLED)');
  });

  it('marks an order as paid (orders/paid)', async () => {
    const order = await shopify.createOrder(mugOrder(await seedMug(), { transactions: [] }));
    expect(order.financialStatus).toBe('PENDING');
    await shopify.markAsPaid(order.id);
    expect((await shopify.getOrder(order.id)).financialStatus).toBe('PAID');
    await waitFor(() => receiver.received.length === 3, 'create + paid + updated');
    expect(receiver.topics()).toEqual(['orders/create', 'orders/paid', 'orders/updated']);
    expect((await vendorError(() => shopify.markAsPaid(order.id))).message).toContain('cannot be marked as paid');
  });

  it('lists variants with Shopify search syntax', async () => {
    await control.post('/__sim/products', [{ sku: 'MUG-1', title: 'Mug', price: '19.99', inventoryQuantity: 4 }, { sku: 'TEA-1', title: 'Tea', price: 3, inventoryQuantity: 0 }]);
    const { variants, nextCursor } = await shopify.listVariants({ query: 'sku:TEA-1' });
    expect(variants).toEqual([{ id: expect.stringMatching(/^gid:\/\/shopify\/ProductVariant\/\d+$/), sku: 'TEA-1', inventoryQuantity: 0 }]);
    expect(nextCursor).toBeNull();
    const page = await shopify.listVariants({ first: 1 });
    expect(page.variants.map((v) => v.sku)).toEqual(['MUG-1']);
    expect((await shopify.listVariants({ first: 1, after: page.nextCursor! })).variants.map((v) => v.sku)).toEqual(['TEA-1']);
  });

  describe('query cost and throttling', () => {
    it('reports the cost on every answer and charges only what the result used', async () => {
      const order = await shopify.createOrder(mugOrder(await seedMug()));
      const res = await rawGraphql('query($id: ID!) { order(id: $id) { id lineItems(first: 10) { nodes { id variant { id } } } } }', { id: order.gid });
      expect(res.status).toBe(200);
      const body = await res.json() as { extensions: { cost: { requestedQueryCost: number; actualQueryCost: number; throttleStatus: Record<string, number> } } };
      // order 1 + connection 2 + 10 × (line 1 + variant 1); one line came back: 1 + 2 + 1 × 2.
      expect(body.extensions.cost).toEqual({
        requestedQueryCost: 23, actualQueryCost: 5,
        throttleStatus: { maximumAvailable: 1000, currentlyAvailable: expect.any(Number), restoreRate: 50 },
      });
      const mutation = await rawGraphql('mutation($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { node { id } userErrors { field message } } }', { id: order.gid });
      expect(((await mutation.json()) as { extensions: { cost: { requestedQueryCost: number } } }).extensions.cost.requestedQueryCost).toBe(12);
    });

    it('answers THROTTLED without charging; the client reports the exact wait and then paces itself', async () => {
      const order = await shopify.createOrder(mugOrder(await seedMug()));
      await control.post('/__sim/throttle', { maximumAvailable: 100, restoreRate: 20, currentlyAvailable: 0 });

      const throttled = await vendorError(() => shopify.setNote(order.id, 'a'));
      expect([throttled.statusClass, throttled.status]).toEqual(['rate-limited', 429]);
      expect(throttled.message).toContain('THROTTLED');
      // orderUpdate { order { id } userErrors } costs 12: (12 − ~0) / 20 per second ≈ 600 ms.
      expect(throttled.retryAfterMs).toBeGreaterThan(400);
      expect(throttled.retryAfterMs).toBeLessThanOrEqual(600);
      const body = throttled.body as { errors: Array<{ extensions: { code: string; documentation: string } }>; extensions: { cost: { actualQueryCost: null } } };
      expect(body.errors[0]!.extensions).toEqual({ code: 'THROTTLED', documentation: expect.stringContaining('shopify.dev') });
      expect(body.extensions.cost.actualQueryCost).toBeNull();
      expect(sim.bucket.status().currentlyAvailable).toBeLessThan(12);

      // The next call waits for the bucket on its own instead of failing again.
      const started = Date.now();
      await shopify.setNote(order.id, 'a');
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect((await shopify.getOrder(order.id).catch(() => null))).toBeNull(); // ~230 points never fit a 100-point bucket
    });

    it('refuses a single query above 1000 points with MAX_COST_EXCEEDED, charging nothing', async () => {
      const before = sim.bucket.status().currentlyAvailable;
      const huge = { name: 'Huge', query: 'query Huge($id: ID!) { order(id: $id) { lineItems(first: 250) { nodes { id variant { id } originalUnitPriceSet { shopMoney { amount } } } } } }' };
      const err = await vendorError(() => shopify.request(huge, { id: 'gid://shopify/Order/1' }));
      expect([err.status, err.statusClass]).toEqual([422, 'permanent']);
      expect(err.message).toContain('MAX_COST_EXCEEDED');
      expect((err.body as { errors: Array<{ extensions: unknown }> }).errors[0]!.extensions).toEqual({ code: 'MAX_COST_EXCEEDED', cost: 1003, maxCost: 1000 });
      expect(sim.bucket.status().currentlyAvailable).toBeGreaterThanOrEqual(before);
    });
  });

  it('answers GraphQL validation errors with HTTP 200 and errors, which the client treats as permanent', async () => {
    const res = await rawGraphql('{ order(id: "gid://shopify/Order/1") { nope } }');
    expect(res.status).toBe(200);
    const body = await res.json() as { errors: Array<{ message: string; locations: unknown }>; data?: unknown };
    expect(body.errors[0]!.message).toMatch(/^Cannot query field "nope" on type "Order"\./);
    expect(body.errors[0]!.locations).toBeDefined();
    expect(body.data).toBeUndefined();
    const bare = await fetch(graphqlUrl(), { method: 'POST', headers: { 'content-type': 'application/graphql', 'x-shopify-access-token': TOKEN }, body: '{ __typename }' });
    expect(await bare.json()).toMatchObject({ data: { __typename: 'Query' }, extensions: { cost: { requestedQueryCost: 0 } } });
    const syntax = await rawGraphql('{ order(id: ');
    expect(((await syntax.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/^Syntax Error/);
    const err = await vendorError(() => shopify.request({ name: 'Bad', query: 'query Bad { shop { name } }' }));
    expect([err.status, err.statusClass]).toEqual([422, 'permanent']);
  });

  it('serves only the API versions Shopify supports on the day, answering 404 for the others', async () => {
    expect(supportedApiVersions(TODAY)).toEqual(['2026-01', '2026-04', '2026-07', '2026-10', '2027-01', 'unstable']);
    expect(supportedApiVersions(new Date('2027-01-01T00:00:00Z'))).toEqual(['2026-04', '2026-07', '2026-10', '2027-01', '2027-04', 'unstable']);
    const statusOf = async (version: string) => (await fetch(`${sim.url}/admin/api/${version}/graphql.json`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN }, body: '{"query":"{ __typename }"}',
    })).status;
    for (const version of ['2026-01', '2026-07', VERSION, '2027-01', 'unstable']) expect([version, await statusOf(version)]).toEqual([version, 200]);
    for (const version of ['2025-07', '2025-10', '2027-04', '2026-05', 'latest']) expect([version, await statusOf(version)]).toEqual([version, 404]);
    const old = await vendorError(() => new ShopifyClient({ baseUrl: sim.url, accessToken: TOKEN, apiVersion: '2025-07', warn: () => undefined }).getOrder('1'));
    expect([old.status, old.statusClass, old.path]).toEqual([404, 'permanent', '/admin/api/2025-07/graphql.json']);
  });

  it('refuses a bad or missing access token with 401 and Shopify\'s body', async () => {
    const res = await rawGraphql('{ order(id: "gid://shopify/Order/1") { id } }', {}, 'wrong');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    const none = await fetch(graphqlUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(none.status).toBe(401);
    const err = await vendorError(() => new ShopifyClient({ baseUrl: sim.url, accessToken: 'wrong', apiVersion: VERSION }).getOrder('1'));
    expect([err.status, err.statusClass]).toEqual([401, 'permanent']);
    expect(err.message).toContain('Invalid API key or access token');
  });

  it('injects faults in front of the API: 503 then success, and 429 with Retry-After', async () => {
    const order = await shopify.createOrder(mugOrder(await seedMug()));
    await control.post('/__sim/faults', { kind: 'status', status: 503, remaining: 1, pathPattern: 'graphql\\.json$' });
    const failed = await vendorError(() => shopify.getOrder(order.id));
    expect([failed.status, failed.statusClass]).toEqual([503, 'retryable']);
    expect((await shopify.getOrder(order.id)).id).toBe(order.id);

    await control.post('/__sim/faults', { kind: 'rate-limit', retryAfterSeconds: 2 });
    const limited = await vendorError(() => shopify.getOrder(order.id));
    expect([limited.status, limited.statusClass, limited.retryAfterMs]).toEqual([429, 'rate-limited', 2000]);
    expect(sim.faults.requestCount('POST', '/admin/api/:version/graphql.json')).toBeGreaterThanOrEqual(4);
  });

  it('gives up after its timeout with a retryable status 0, and stops at once when the caller cancels', async () => {
    await control.post('/__sim/faults', { kind: 'delay', delayMs: 3000, remaining: 2, pathPattern: 'graphql\\.json$' });
    const impatient = new ShopifyClient({ baseUrl: sim.url, accessToken: TOKEN, apiVersion: VERSION, timeoutMs: 200 });
    const started = Date.now();
    const timedOut = await vendorError(() => impatient.getOrder('1'));
    expect([timedOut.status, timedOut.statusClass, timedOut.vendor]).toEqual([0, 'retryable', 'shopify']);
    expect(timedOut.message).toContain('no answer within 200 ms');
    expect(Date.now() - started).toBeLessThan(2000);

    const controller = new AbortController();
    const pending = shopify.getOrder('1', controller.signal);
    setTimeout(() => controller.abort(new Error('activity cancelled')), 50);
    await expect(pending).rejects.toThrow('activity cancelled');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  describe('webhook delivery like Shopify', () => {
    it('retries a failing relay with the same webhook id and body', async () => {
      receiver.failNext = [500, 503];
      await shopify.createOrder(mugOrder(await seedMug()));
      await waitFor(() => receiver.received.length === 3, 'two retries');
      const ids = receiver.received.map((r) => header(r, 'x-shopify-webhook-id'));
      expect(new Set(ids).size).toBe(1);
      expect(new Set(receiver.received.map((r) => r.raw.toString())).size).toBe(1);
      // The sender logs a delivery once it has the answer, just after the receiver saw the request.
      await waitFor(() => sim.webhooks.deliveries().length === 3, 'the third delivery logged');
      expect(sim.webhooks.deliveries().map((d) => d.status)).toEqual([500, 503, 200]);
    });

    it('sends duplicates and late deliveries, and redelivers on request with the same X-Shopify-Webhook-Id', async () => {
      await control.post('/__sim/webhooks/config', { duplicates: 2, delayMs: 300 });
      const variantId = await seedMug();
      await shopify.createOrder(mugOrder(variantId));
      await new Promise((r) => setTimeout(r, 100));
      expect(receiver.received).toHaveLength(0);
      await waitFor(() => receiver.received.length === 2, 'the late duplicates');
      const [a, b] = receiver.received;
      expect(header(a!, 'x-shopify-webhook-id')).toBe(header(b!, 'x-shopify-webhook-id'));
      expect(a!.raw.equals(b!.raw)).toBe(true);

      await control.post('/__sim/webhooks/config', { duplicates: 1, delayMs: 0 });
      const { webhookIds } = await control.post<{ webhookIds: string[] }>('/__sim/webhooks/redeliver', { count: 1 });
      expect(webhookIds).toEqual([header(a!, 'x-shopify-webhook-id')]);
      await waitFor(() => receiver.received.length === 3, 'the redelivery');
      const again = receiver.received[2]!;
      expect(header(again, 'x-shopify-webhook-id')).toBe(header(a!, 'x-shopify-webhook-id'));
      expect(header(again, 'x-shopify-event-id')).toBe(header(a!, 'x-shopify-event-id'));
      expect(verifyShopify({ secret: SECRET, rawBody: again.raw, signature: header(again, 'x-shopify-hmac-sha256') })).toEqual({ ok: true });
      expect(again.raw.equals(a!.raw)).toBe(true);

      const sent = await control.get<{ webhooks: Array<{ webhookId: string; topic: string }> }>('/__sim/webhooks');
      expect(sent.webhooks.map((w) => w.topic)).toEqual(['orders/create']);
      const missing = await vendorError(() => control.post('/__sim/webhooks/redeliver', { webhookId: 'nope' }));
      expect(missing.status).toBe(404);
    });
  });

  it('has a control API that is never authenticated, faulted or throttled', async () => {
    await control.post('/__sim/faults', { kind: 'status', status: 500, remaining: 5 });
    await control.post('/__sim/throttle', { currentlyAvailable: 0 });
    const health = await control.get<{ status: string; throttle: { currentlyAvailable: number } }>('/__sim/health');
    expect(health.status).toBe('ok');
    expect(health.throttle.currentlyAvailable).toBeLessThan(5);
    await control.post('/__sim/products', { sku: 'X-1', price: '1.00' });
    expect((await control.get<{ orders: unknown[] }>('/__sim/orders')).orders).toEqual([]);
    expect((await vendorError(() => control.post('/__sim/products', { sku: 'X-2', price: '1.001' }))).status).toBe(400);
    expect((await vendorError(() => control.post('/__sim/throttle', { restoreRate: -1 }))).status).toBe(400);
    await control.post('/__sim/reset', {});
    expect(sim.bucket.status()).toEqual({ maximumAvailable: 1000, currentlyAvailable: 1000, restoreRate: 50 });
    expect(sim.faults.list()).toEqual([]);
  });
});
