import { parseHubspot, parseShopify, parseStripe } from '../../domain/webhooks/events';

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
  it('refuses unknown HubSpot subscription types, empty batches and non-JSON with a reason', () => {
    expect(parseHubspot(json([{ eventId: 1, subscriptionType: 'deal.creation', objectId: 1 }]))).toEqual({ ok: false, reason: 'unknown subscriptionType deal.creation' });
    expect(parseHubspot(json([]))).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid HubSpot event batch/) });
    expect(parseHubspot(Buffer.from('{oops'))).toEqual({ ok: false, reason: 'body is not valid JSON' });
    expect(parseHubspot(json([{ eventId: 1, subscriptionType: 'contact.creation' }]))).toMatchObject({ ok: false, reason: expect.stringMatching(/objectId/) });
  });
  it('takes Shopify topic and webhook id from headers', () => {
    expect(parseShopify(json({ id: 1042 }), { topic: 'orders/create', webhookId: 'w-1' })).toMatchObject({
      ok: true, events: [{ provider: 'shopify', eventId: 'w-1', businessKey: 'shopify:order:1042' }],
    });
    expect(parseShopify(json({ id: 1 }), { topic: 'orders/create' })).toMatchObject({ ok: false, reason: expect.stringMatching(/Webhook-Id/) });
    expect(parseShopify(json({ id: 1 }), { topic: 'products/create', webhookId: 'w' })).toMatchObject({ ok: false, reason: 'unknown topic products/create' });
    expect(parseShopify(json({ name: '#1' }), { topic: 'orders/paid', webhookId: 'w' })).toMatchObject({ ok: false, reason: expect.stringMatching(/id/) });
  });
  it('keys Stripe events by the object they concern', () => {
    const event = { id: 'evt_1', object: 'event', type: 'charge.refunded', data: { object: { id: 'ch_9', object: 'charge' } } };
    expect(parseStripe(json(event))).toMatchObject({ ok: true, events: [{ eventId: 'evt_1', businessKey: 'stripe:charge:ch_9' }] });
    expect(parseStripe(json({ ...event, type: 'customer.created' }))).toMatchObject({ ok: false, reason: 'unknown event type customer.created' });
    expect(parseStripe(json({ ...event, id: 'x' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/evt_/) });
  });
});
