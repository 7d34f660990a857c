import { hubspotWebhooks, parseHubspot as parseHubspotFor } from '../../connectors/hubspot/webhooks';
import { parseShopify as parseShopifyFor, shopifyWebhooks } from '../../connectors/shopify/webhooks';
import { parseStripe as parseStripeFor, stripeWebhooks } from '../../connectors/stripe/webhooks';

/** Each connector parses its vendor's deliveries for a connection; these run them for the connections named after the vendors. */
const parseHubspot = (raw: Buffer) => parseHubspotFor('hubspot', raw);
const parseShopify = (raw: Buffer, h: { topic?: string; webhookId?: string }) =>
  parseShopifyFor('shopify', raw, { 'x-shopify-topic': h.topic, 'x-shopify-webhook-id': h.webhookId });
const parseStripe = (raw: Buffer) => parseStripeFor('stripe', raw);

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('webhook payload parsing', () => {
  it('splits a HubSpot batch into events keyed by contact', () => {
    const result = parseHubspot(json([
      { eventId: 11, subscriptionType: 'contact.creation', objectId: 501, portalId: 1, occurredAt: 1 },
      { eventId: 12, subscriptionType: 'contact.propertyChange', objectId: 501, propertyName: 'lifecyclestage', propertyValue: 'lead' },
    ]));
    expect(result).toMatchObject({ ok: true, events: [
      { provider: 'hubspot', eventId: '11', topic: 'contact.creation', businessKey: 'hubspot:contact:501' },
      { eventId: '12', topic: 'contact.propertyChange', payload: { propertyValue: 'lead' } },
    ] });
  });
  it('keeps unknown HubSpot subscription types as ignored events beside the known ones', () => {
    const result = parseHubspot(json([
      { eventId: 1, subscriptionType: 'deal.creation', objectId: 77 },
      { eventId: 2, subscriptionType: 'contact.creation', objectId: 501 },
      { eventId: 3, subscriptionType: 'contact.associationChange', fromObjectId: 1, toObjectId: 2 },
    ]));
    expect(result).toEqual({ ok: true, events: [
      expect.objectContaining({ eventId: '1', topic: 'deal.creation', businessKey: 'hubspot:deal:77', ignored: true }),
      expect.objectContaining({ eventId: '2', topic: 'contact.creation', businessKey: 'hubspot:contact:501' }),
      expect.objectContaining({ eventId: '3', businessKey: 'hubspot:event:3', ignored: true }),
    ] });
    expect(result.ok && result.events[1]!.ignored).toBeFalsy();
  });
  it('refuses empty batches, non-JSON and invalid known events with a reason naming the field', () => {
    expect(parseHubspot(json([]))).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid HubSpot event batch/) });
    expect(parseHubspot(Buffer.from('{oops'))).toEqual({ ok: false, reason: 'body is not valid JSON' });
    expect(parseHubspot(json([{ eventId: 1, subscriptionType: 'deal.creation', objectId: 1 }, { eventId: 2, subscriptionType: 'contact.creation' }])))
      .toEqual({ ok: false, reason: expect.stringMatching(/^invalid HubSpot event batch: 1\.objectId: /) });
    expect(parseHubspot(json([{ subscriptionType: 'deal.creation' }]))).toMatchObject({ ok: false, reason: expect.stringMatching(/0\.eventId/) });
  });
  it('takes Shopify topic and webhook id from headers', () => {
    expect(parseShopify(json({ id: 1042 }), { topic: 'orders/create', webhookId: 'w-1' })).toMatchObject({
      ok: true, events: [{ provider: 'shopify', eventId: 'w-1', businessKey: 'shopify:order:1042' }],
    });
    expect(parseShopify(json({ id: 1 }), { topic: 'orders/create' })).toMatchObject({ ok: false, reason: expect.stringMatching(/Webhook-Id/) });
    expect(parseShopify(json({ id: 1 }), { topic: 'products/create', webhookId: 'w' })).toEqual({
      ok: true, events: [expect.objectContaining({ eventId: 'w', topic: 'products/create', businessKey: 'shopify:product:1', ignored: true })],
    });
    expect(parseShopify(Buffer.from('nope'), { topic: 'products/create', webhookId: 'w' })).toEqual({ ok: false, reason: 'body is not valid JSON' });
    expect(parseShopify(json({ name: '#1' }), { topic: 'orders/paid', webhookId: 'w' })).toMatchObject({ ok: false, reason: expect.stringMatching(/id/) });
  });
  it('reads the version a Shopify order webhook announces, with the shop\'s offset, as a UTC instant', () => {
    const order = { id: 1042, updated_at: '2026-03-01T05:45:12-05:00' };
    expect(parseShopify(json(order), { topic: 'orders/updated', webhookId: 'w-2' })).toMatchObject({
      ok: true, events: [{ businessKey: 'shopify:order:1042', version: '2026-03-01T10:45:12.000Z' }],
    });
    // orders/paid brings only a payment to a flow whose lines are frozen, orders/create only a note to a flow under
    // way: they stand for no version of the order.
    for (const topic of ['orders/paid', 'orders/create']) {
      const parsed = parseShopify(json(order), { topic, webhookId: 'w-4' });
      expect(parsed.ok && parsed.events[0]).not.toHaveProperty('version');
    }
    expect(parseShopify(json(order), { topic: 'orders/cancelled', webhookId: 'w-5' })).toMatchObject({ ok: true, events: [{ version: '2026-03-01T10:45:12.000Z' }] });
    // Without a zone the instant would depend on the server's: no version rather than a wrong one.
    for (const updated_at of ['2026-03-01T05:45:12', 'soon', 17]) {
      const parsed = parseShopify(json({ ...order, updated_at }), { topic: 'orders/updated', webhookId: 'w-3' });
      expect(parsed.ok && parsed.events[0]).not.toHaveProperty('version');
    }
  });
  it('keys Stripe events by the object they concern', () => {
    const event = { id: 'evt_1', object: 'event', type: 'charge.refunded', data: { object: { id: 'ch_9', object: 'charge' } } };
    expect(parseStripe(json(event))).toMatchObject({ ok: true, events: [{ eventId: 'evt_1', businessKey: 'stripe:charge:ch_9' }] });
    expect(parseStripe(json({ ...event, type: 'customer.created' }))).toEqual({
      ok: true, events: [expect.objectContaining({ eventId: 'evt_1', topic: 'customer.created', businessKey: 'stripe:charge:ch_9', ignored: true })],
    });
    const balance = { id: 'evt_2', object: 'event', type: 'balance.available', data: { object: { object: 'balance' } } };
    expect(parseStripe(json(balance))).toMatchObject({ ok: true, events: [{ businessKey: 'stripe:balance:evt_2', ignored: true }] });
    expect(parseStripe(json({ ...balance, type: 'charge.refunded' }))).toEqual({ ok: false, reason: expect.stringMatching(/data\.object\.id/) });
    expect(parseStripe(json({ ...event, id: 'x' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/evt_/) });
  });
  it('parses a stored delivery for its connection, with the headers it was kept with, and says what it means', () => {
    expect(shopifyWebhooks.parse('shop-eu', json({ id: 5 }), { 'x-shopify-topic': 'orders/paid', 'x-shopify-webhook-id': 'w-5' })).toMatchObject({
      ok: true, events: [{ provider: 'shop-eu', eventId: 'w-5', topic: 'orders/paid', businessKey: 'shop-eu:order:5' }],
    });
    expect(hubspotWebhooks.parse('hubspot', json([{ eventId: 1, subscriptionType: 'contact.creation', objectId: 3 }]), {})).toMatchObject({ ok: true });
    expect(stripeWebhooks.kindOf('payout.paid', {})).toBe('payout-changed');
    expect(shopifyWebhooks.kindOf('orders/cancelled', {})).toBe('order-cancelled');
    expect(shopifyWebhooks.kindOf('products/create', {})).toBeNull();
    expect(hubspotWebhooks.kindOf('contact.deletion', {})).toBe('contact-deleted');
  });
  it('fingerprints a delivery: redeliveries share it, another Shopify topic or webhook with the same body does not', () => {
    const body = json({ id: 1 });
    const paid = { 'x-shopify-topic': 'orders/paid', 'x-shopify-webhook-id': 'w1', 'x-shopify-hmac-sha256': 'a' };
    expect(shopifyWebhooks.fingerprint(body, paid)).toBe(shopifyWebhooks.fingerprint(body, { ...paid, 'x-shopify-hmac-sha256': 'b' }));
    expect(shopifyWebhooks.fingerprint(body, paid)).not.toBe(shopifyWebhooks.fingerprint(body, { ...paid, 'x-shopify-topic': 'orders/updated' }));
    expect(shopifyWebhooks.fingerprint(body, paid)).not.toBe(shopifyWebhooks.fingerprint(body, { ...paid, 'x-shopify-webhook-id': 'w2' }));
    expect(stripeWebhooks.fingerprint(body, { 'stripe-signature': 't=1' })).toBe(stripeWebhooks.fingerprint(body, { 'stripe-signature': 't=2' }));
    expect(hubspotWebhooks.fingerprint(body, {})).toMatch(/^[0-9a-f]{64}$/);
  });
});
