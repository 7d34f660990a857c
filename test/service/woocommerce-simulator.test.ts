import type { IncomingHttpHeaders } from 'node:http';
import { JsonHttpClient } from '../../connectors/http';
import { WoocommerceClient } from '../../connectors/woocommerce/client';
import { orderKind, woocommerceWebhooks, verifyWoocommerce } from '../../connectors/woocommerce/webhooks';
import { totalsProblem } from '../../domain/order-customer';
import { startWoocommerceSimulator, type WoocommerceSimulator } from '../../connectors/woocommerce/simulator/server';
import { injectFaults } from '../support/sim-control';
import { failure, waitFor, WebhookReceiver } from '../support/webhook-receiver';

/** The WooCommerce simulator driven over HTTP by the real connector, with a stand-in relay receiving its webhooks. */

const KEY = 'ck_test';
const SECRET = 'cs_test';
const WEBHOOK_SECRET = 'test-woo-webhook-secret';
const API = '/wp-json/wc/v3';

interface Received { headers: IncomingHttpHeaders; raw: Buffer; body: Record<string, unknown> }

class Receiver extends WebhookReceiver<Received> {
  constructor() {
    super((raw, req) => ({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> }));
  }
  topics(): string[] {
    return this.received.map((r) => String(r.headers['x-wc-webhook-topic']));
  }
}

const header = (r: Received, name: string) => r.headers[name] as string | undefined;
const verified = (r: Received) => verifyWoocommerce({ secret: WEBHOOK_SECRET, rawBody: r.raw, signature: header(r, 'x-wc-webhook-signature') });

const london = { first_name: 'Ada', last_name: 'Lovelace', address_1: '12 St James Sq', city: 'London', postcode: 'SW1Y 4JH', country: 'GB' };
const ada = {
  billing: { ...london, email: 'ada@example.com', phone: '+44 20 7946 0958' },
  shipping: london,
};
/** 3 × 19.99 − 5.00 discount + 4.90 shipping + 10.99 tax = 70.86, authorised through the WooCommerce Stripe gateway. */
const mugOrder = (extra: Record<string, unknown> = {}) => ({
  ...ada, customer_id: 42, line_items: [{ sku: 'MUG-1', quantity: 3 }], discount_total: '5.00', shipping_total: '4.90', total_tax: '10.99',
  stripe: { intent_id: 'pi_3QxTest123', charge_id: 'ch_3QxTest123', captured: false }, ...extra,
});

describe('WooCommerce simulator with the WooCommerce connector', () => {
  const receiver = new Receiver();
  let sim: WoocommerceSimulator;
  let woo: WoocommerceClient;
  let control: JsonHttpClient;

  const createOrder = async (input: Record<string, unknown>) => String((await control.post<{ id: number }>('/__sim/orders', input)).id);
  const seedMug = () => control.post('/__sim/products', { name: 'Mug', sku: 'MUG-1', price: '19.99', stock_quantity: 10 });
  const notes = async (orderId: string) => (await woo.listNotes(orderId)).map((n) => n.note);
  const requests = (method: string, route: string) => sim.faults.requestCount(method, `${API}${route}`);

  beforeAll(async () => {
    await receiver.start();
    sim = await startWoocommerceSimulator({
      port: 0, consumerKey: KEY, consumerSecret: SECRET, webhookSecret: WEBHOOK_SECRET, webhookTargetUrl: `${receiver.url}/webhooks/woocommerce`,
      logger: false, webhookRetry: { baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 1000 },
    });
    woo = new WoocommerceClient({ baseUrl: sim.url, consumerKey: KEY, consumerSecret: SECRET });
    control = new JsonHttpClient({ vendor: 'woocommerce-sim', baseUrl: sim.url });
  });

  beforeEach(async () => {
    await control.post('/__sim/reset', {});
    await seedMug();
  });

  afterEach(async () => {
    await sim.webhooks.idle();
    receiver.received = [];
    receiver.failNext = [];
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('sends order.created signed like WooCommerce, which the relay parser accepts', async () => {
    const id = await createOrder(mugOrder());
    await waitFor(() => receiver.received.length === 1, 'the order.created webhook');
    const hook = receiver.received[0]!;

    expect(verified(hook)).toEqual({ ok: true });
    const tampered = { ...hook, raw: Buffer.from(hook.raw.toString().replace('70.86', '0.01')) };
    expect(verified(tampered)).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(hook.headers).toMatchObject({
      'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-resource': 'order', 'x-wc-webhook-event': 'created',
      'x-wc-webhook-source': `${sim.url}/`, 'content-type': 'application/json',
    });
    expect(header(hook, 'x-wc-webhook-delivery-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(header(hook, 'user-agent')).toMatch(/^WooCommerce\/[\d.]+ Hookshot/);

    // Woo's shapes: numeric ids, money as decimal strings, GMT dates without an offset.
    expect(hook.body).toMatchObject({
      id: Number(id), number: id, status: 'on-hold', currency: 'USD', total: '70.86', discount_total: '5.00', shipping_total: '4.90',
      total_tax: '10.99', customer_id: 42, payment_method: 'stripe', transaction_id: 'ch_3QxTest123',
      meta_data: expect.arrayContaining([expect.objectContaining({ key: '_stripe_intent_id', value: 'pi_3QxTest123' })]),
    });
    expect(hook.body.line_items).toEqual([expect.objectContaining({ sku: 'MUG-1', quantity: 3, subtotal: '59.97', total: '54.97' })]);
    expect(String(hook.body.date_created_gmt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);

    const deliveryId = header(hook, 'x-wc-webhook-delivery-id');
    const parsed = woocommerceWebhooks.parse('woocommerce', hook.raw, { 'x-wc-webhook-topic': header(hook, 'x-wc-webhook-topic'), 'x-wc-webhook-delivery-id': deliveryId, 'x-wc-webhook-resource': header(hook, 'x-wc-webhook-resource') });
    expect(parsed.ok && parsed.events.map((e) => [e.eventId, e.topic, e.businessKey])).toEqual([[deliveryId, 'order.created', `woocommerce:order:${id}`]]);
  });

  it('reads an order back with exact money and the Stripe authorisation', async () => {
    const id = await createOrder(mugOrder());
    const order = await woo.getOrder(id);
    expect(order).toMatchObject({
      id, name: `#${id}`, currency: 'USD', email: 'ada@example.com', financialStatus: 'AUTHORIZED', cancelledAt: null,
      subtotalMinor: 5997, discountMinor: 500, shippingMinor: 490, taxMinor: 1099, totalMinor: 7086,
      lines: [{ sku: 'MUG-1', title: 'Mug', quantity: 3, unitPriceMinor: 1999 }],
      payment: { gateway: 'stripe', paymentId: 'pi_3QxTest123', kind: 'authorised', amountMinor: 7086 },
      customer: { id: '42', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
      shippingAddress: { name: 'Ada Lovelace', city: 'London', countryCode: 'GB', zip: 'SW1Y 4JH', phone: '+44 20 7946 0958' },
      tags: [],
    });
    expect(Math.abs(Date.parse(order.createdAt) - Date.now())).toBeLessThan(10_000);
    expect(totalsProblem(order)).toBeNull();

    const captured = await createOrder(mugOrder({ stripe: { intent_id: 'pi_paid', captured: true } }));
    expect(await woo.getOrder(captured)).toMatchObject({ financialStatus: 'PAID', payment: { kind: 'captured', paymentId: 'pi_paid' } });
  });

  it('keeps zero- and three-decimal currencies exact', async () => {
    const line = (price: string) => [{ name: 'Tea', price, quantity: 2 }];
    const yen = await createOrder({ currency: 'JPY', line_items: line('1500'), shipping_total: '300', set_paid: true });
    expect(await woo.getOrder(yen)).toMatchObject({
      currency: 'JPY', subtotalMinor: 3000, shippingMinor: 300, totalMinor: 3300, payment: null, financialStatus: 'PAID',
    });
    const dinar = await createOrder({ currency: 'KWD', line_items: line('12.345') });
    expect(await woo.getOrder(dinar)).toMatchObject({
      currency: 'KWD', totalMinor: 24690, lines: [{ unitPriceMinor: 12345, sku: null }], financialStatus: 'PENDING',
    });
  });

  it('stores the ERP reference as order meta and one note, however often the step runs', async () => {
    const id = await createOrder(mugOrder());
    const written = await woo.addTags(id, ['erp:SO-1001']);
    // Each run answers the order as it is after the step: the write's answer, or the order as read when nothing was left to write.
    const again = await woo.addTags(id, ['erp:SO-1001']);
    expect(written).toMatchObject({ id, tags: ['erp:SO-1001'], version: expect.stringMatching(/Z$/) });
    expect(again).toEqual(written);
    expect((await woo.getOrder(id)).tags).toEqual(['erp:SO-1001']);
    expect(await notes(id)).toEqual(['ERP reference erp:SO-1001']);
    await woo.addTags(id, ['erp:SO-1002']);
    expect((await woo.getOrder(id)).tags).toEqual(['erp:SO-1001', 'erp:SO-1002']);
    // Only the two real changes announce an update; the repeat changed nothing.
    await waitFor(() => receiver.topics().length === 3, 'the created and two updated webhooks');
    expect(receiver.topics()).toEqual(['order.created', 'order.updated', 'order.updated']);
  });

  it('cancels an order once, with a note, and the update webhook reads as a cancellation', async () => {
    const id = await createOrder(mugOrder());
    expect(await woo.cancelOrder(id, { reason: 'INVENTORY' })).toEqual({ alreadyCancelled: false });
    expect(await woo.cancelOrder(id, { reason: 'INVENTORY' })).toEqual({ alreadyCancelled: true });
    const order = await woo.getOrder(id);
    expect(order).toMatchObject({ financialStatus: 'VOIDED', payment: { paymentId: 'pi_3QxTest123' } });
    expect(order.cancelledAt).not.toBeNull();
    expect(await notes(id)).toEqual(['Cancelled by the ERP integration (reason: inventory)']);

    await waitFor(() => receiver.received.length === 2, 'the order.updated webhook');
    const update = receiver.received[1]!;
    expect(verified(update)).toEqual({ ok: true });
    expect(orderKind(header(update, 'x-wc-webhook-topic')!, update.body)).toBe('order-cancelled');
  });

  it('fulfils by completing the order with a tracking note, idempotently, and refuses a cancelled order', async () => {
    const id = await createOrder(mugOrder({ stripe: { intent_id: 'pi_paid', captured: true } }));
    const tracking = { number: '1Z999AA10123456784', company: 'UPS' };
    expect(await woo.createFulfillment(id, tracking)).toEqual({ alreadyFulfilled: false });
    expect(await woo.createFulfillment(id, tracking)).toEqual({ alreadyFulfilled: true });
    expect((await woo.getWooOrder(id)).status).toBe('completed');
    expect(await notes(id)).toEqual(['Shipped with UPS, tracking number 1Z999AA10123456784']);

    const cancelled = await createOrder(mugOrder({ status: 'cancelled' }));
    const refused = await failure(() => woo.createFulfillment(cancelled, tracking));
    expect(refused).toMatchObject({ status: 422, statusClass: 'permanent' });
    expect(refused.message).toContain('is cancelled');
  });

  it('applies an address edited in WordPress, merged field by field, and announces it as an update', async () => {
    const id = await createOrder(mugOrder());
    await control.post(`/__sim/orders/${id}`, { shipping: { address_1: '1 Infinite Loop', city: 'Cupertino', phone: '+1 408 555 0100' } });
    expect((await woo.getOrder(id)).shippingAddress).toMatchObject({
      name: 'Ada Lovelace', address1: '1 Infinite Loop', city: 'Cupertino', zip: 'SW1Y 4JH', countryCode: 'GB', phone: '+1 408 555 0100',
    });
    await waitFor(() => receiver.topics().length === 2, 'the order.updated webhook');
    expect(receiver.received[1]!.body.shipping).toMatchObject({ address_1: '1 Infinite Loop', postcode: 'SW1Y 4JH' });
    // The same address again changes nothing, so no webhook.
    await control.post(`/__sim/orders/${id}`, { shipping: { address_1: '1 Infinite Loop' } });
    await sim.webhooks.idle();
    expect(receiver.topics()).toEqual(['order.created', 'order.updated']);
  });

  it('gives the next order a chosen id once (another shop\'s number), then counts on past ids in use', async () => {
    const first = Number(await createOrder(mugOrder()));
    const chosen = first + 1;
    expect(await control.post('/__sim/next-order-id', { id: chosen })).toEqual({ nextOrderId: chosen });
    expect(await createOrder(mugOrder())).toBe(String(chosen));
    // The counter would have handed out `chosen` next: it skips it rather than overwrite that order.
    const after = Number(await createOrder(mugOrder()));
    expect(after).toBeGreaterThan(chosen);
    expect(sim.state.orders.size).toBe(3);
    expect(await failure(() => control.post('/__sim/next-order-id', { id: first }))).toMatchObject({ status: 409 });
  });

  it('announces a trashed order with order.deleted carrying only its id; a deleted order is a permanent 404', async () => {
    const id = await createOrder(mugOrder());
    await control.delete(`/__sim/orders/${id}`);
    await waitFor(() => receiver.received.length === 2, 'the order.deleted webhook');
    const deleted = receiver.received[1]!;
    expect(verified(deleted)).toEqual({ ok: true });
    expect(deleted.body).toEqual({ id: Number(id) });
    expect(orderKind(header(deleted, 'x-wc-webhook-topic')!, deleted.body)).toBe('order-cancelled');
    expect((await woo.getOrder(id)).cancelledAt).not.toBeNull();

    await control.delete(`/__sim/orders/${id}`, { query: { force: 'true' } });
    expect(await failure(() => woo.getOrder(id))).toMatchObject({ status: 404, statusClass: 'permanent' });
  });

  it('sets the stock of 233 SKUs in batches of at most 100, variations through their product', async () => {
    const simple = Array.from({ length: 230 }, (_, i) => ({ sku: `BULK-${i}`, price: '1.00', stock_quantity: 0 }));
    const sizes = ['S', 'M', 'L'];
    const tee = { name: 'Tee', sku: 'TEE', price: '15.00', variations: sizes.map((size) => ({ sku: `TEE-${size}`, price: '15.00', stock_quantity: 0 })) };
    await control.post('/__sim/products', [...simple, tee]);
    sim.faults.resetCounts();

    const wanted = [...simple.map((p, i) => ({ sku: p.sku, quantity: i + 1 })), ...sizes.map((size, i) => ({ sku: `TEE-${size}`, quantity: 4 + i }))];
    const result = await woo.setInventory([...wanted, { sku: 'GHOST-1', quantity: 3 }]);

    expect(result).toEqual({ updated: 233, missing: ['GHOST-1'] });
    expect(requests('GET', '/products')).toBe(3);
    expect(requests('POST', '/products/batch')).toBe(3);
    expect(requests('POST', '/products/:id/variations/batch')).toBe(1);
    const stock = new Map([...sim.state.products.values()].map((p) => [p.sku, p.stockQuantity]));
    for (const { sku, quantity } of wanted) expect([sku, stock.get(sku)]).toEqual([sku, quantity]);
    expect(stock.get('TEE')).toBeNull();
  });

  it('fails a stock push whose product vanished meanwhile, and Woo refuses more than 100 items per batch', async () => {
    // The product is deleted in WordPress between our SKU lookup and the batch.
    const racing = new WoocommerceClient({
      baseUrl: sim.url, consumerKey: KEY, consumerSecret: SECRET,
      fetchImpl: (url, init) => {
        if (String(url).endsWith('/products/batch')) for (const [id, p] of sim.state.products) if (p.sku === 'MUG-1') sim.state.products.delete(id);
        return fetch(url, init);
      },
    });
    const refused = await failure(() => racing.setInventory([{ sku: 'MUG-1', quantity: 3 }]));
    expect(refused).toMatchObject({ status: 400, statusClass: 'permanent' });
    expect(refused.message).toContain('1 of 1 stock updates refused');

    const tooMany = Array.from({ length: 101 }, (_, i) => ({ id: i + 1, stock_quantity: 1 }));
    const basic = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`;
    const direct = new JsonHttpClient({ vendor: 'woocommerce', baseUrl: sim.url, headers: { authorization: basic } });
    expect(await failure(() => direct.post(`${API}/products/batch`, { update: tooMany }))).toMatchObject({ status: 413, statusClass: 'permanent' });
  });

  it('classifies injected 5xx as retryable and 429 as rate-limited with its Retry-After', async () => {
    const id = await createOrder(mugOrder());
    await injectFaults(sim.url, [
      { kind: 'status', status: 503, method: 'GET', pathPattern: '/orders/\\d+$' },
      { kind: 'rate-limit', retryAfterSeconds: 7, method: 'GET', pathPattern: '/orders/\\d+$' },
    ]);
    expect(await failure(() => woo.getOrder(id))).toMatchObject({ vendor: 'woocommerce', status: 503, statusClass: 'retryable' });
    expect(await failure(() => woo.getOrder(id))).toMatchObject({ status: 429, statusClass: 'rate-limited', retryAfterMs: 7000 });
    expect((await woo.getOrder(id)).id).toBe(id);
  });

  it('refuses wrong credentials and unknown orders permanently, and accepts query-string credentials', async () => {
    const id = await createOrder(mugOrder());
    const wrong = new WoocommerceClient({ baseUrl: sim.url, consumerKey: KEY, consumerSecret: 'cs_wrong' });
    const denied = await failure(() => wrong.getOrder(id));
    expect(denied).toMatchObject({ status: 401, statusClass: 'permanent' });
    expect(denied.message).toContain('Consumer secret is invalid');
    const anonymous = await fetch(`${sim.url}${API}/orders/${id}`);
    expect([anonymous.status, ((await anonymous.json()) as { code: string }).code]).toEqual([401, 'woocommerce_rest_cannot_view']);

    const viaQuery = new WoocommerceClient({ baseUrl: sim.url, consumerKey: KEY, consumerSecret: SECRET, credentialsIn: 'query' });
    expect((await viaQuery.getOrder(id)).id).toBe(id);
    expect(await failure(() => woo.getOrder('999999'))).toMatchObject({ status: 404, statusClass: 'permanent' });
    expect(await failure(() => woo.getOrder('gid://shopify/Order/1'))).toMatchObject({ status: 422, statusClass: 'permanent' });
    expect(() => new WoocommerceClient({ baseUrl: 'http://shop.example.com', consumerKey: KEY, consumerSecret: SECRET })).toThrow('plain http');
  });

  it('redelivers a webhook the receiver refused, unchanged, and resends it on request', async () => {
    receiver.failNext = [500, 503];
    await createOrder(mugOrder());
    await waitFor(() => receiver.received.length === 3, 'two retries after two failures');
    const [first, , third] = receiver.received;
    // The sender logs a delivery once it has the answer, just after the receiver saw the request.
    await waitFor(() => sim.webhooks.deliveries().length === 3, 'the third delivery logged');
    expect(sim.webhooks.deliveries().map((d) => d.status)).toEqual([500, 503, 200]);
    expect(header(third!, 'x-wc-webhook-delivery-id')).toBe(header(first!, 'x-wc-webhook-delivery-id'));
    expect(third!.raw.equals(first!.raw)).toBe(true);
    expect(verified(third!)).toEqual({ ok: true });

    const deliveryId = header(first!, 'x-wc-webhook-delivery-id')!;
    expect(await control.post('/__sim/webhooks/redeliver', { id: deliveryId })).toEqual({ ids: [deliveryId] });
    await waitFor(() => receiver.received.length === 4, 'the resent webhook');
    expect(receiver.received[3]!.raw.equals(first!.raw)).toBe(true);
  });
});
