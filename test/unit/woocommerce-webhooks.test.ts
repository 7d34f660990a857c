import { createHmac } from 'node:crypto';
import {
  isWoocommercePing, orderKind, parseWoocommerce as parseFor, signWoocommerce, verifyWoocommerce,
} from '../../connectors/woocommerce/webhooks';

const SECRET = 'woo-webhook-secret';
const body = Buffer.from(JSON.stringify({ id: 4750, number: '4750', status: 'processing', total: '70.86' }));
/** Computed independently of the code under test: base64 of HMAC-SHA256 over the raw bytes. */
const expected = createHmac('sha256', SECRET).update(body).digest('base64');

describe('WooCommerce webhook signatures', () => {
  it('accepts the signature Woo computes over the raw body', () => {
    expect(signWoocommerce(SECRET, body)).toBe(expected);
    expect(verifyWoocommerce({ secret: SECRET, rawBody: body, signature: expected })).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret, a tampered body, or none', () => {
    const forged = createHmac('sha256', 'guessed-secret').update(body).digest('base64');
    expect(verifyWoocommerce({ secret: SECRET, rawBody: body, signature: forged })).toEqual({ ok: false, reason: 'signature mismatch' });
    const tampered = Buffer.from(body.toString().replace('70.86', '0.01'));
    expect(verifyWoocommerce({ secret: SECRET, rawBody: tampered, signature: expected })).toEqual({ ok: false, reason: 'signature mismatch' });
    // The same JSON re-serialised is other bytes: the signature is over the bytes received, not the object.
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(verifyWoocommerce({ secret: SECRET, rawBody: reformatted, signature: expected }).ok).toBe(false);
    expect(verifyWoocommerce({ secret: SECRET, rawBody: body, signature: expected.slice(0, -4) }).ok).toBe(false);
    expect(verifyWoocommerce({ secret: SECRET, rawBody: body, signature: undefined }))
      .toEqual({ ok: false, reason: 'missing X-WC-Webhook-Signature header' });
  });
});

/** The connection named after the vendor, with Woo's headers as the relay keeps them. */
const parseWoocommerce = (raw: Buffer, h: { topic?: string; deliveryId?: string; resource?: string }) =>
  parseFor('woocommerce', raw, { 'x-wc-webhook-topic': h.topic, 'x-wc-webhook-delivery-id': h.deliveryId, 'x-wc-webhook-resource': h.resource });

describe('WooCommerce webhook parsing', () => {
  const headers = { topic: 'order.updated', deliveryId: '36e520ebabc2fa725092ff4a47acedf2', resource: 'order' };

  it('turns an order webhook into one event keyed by the delivery id and the order', () => {
    const parsed = parseWoocommerce(body, headers);
    expect(parsed).toEqual({
      ok: true,
      events: [{
        provider: 'woocommerce', eventId: headers.deliveryId, topic: 'order.updated', businessKey: 'woocommerce:order:4750', payload: JSON.parse(body.toString()),
      }],
    });
  });

  it('reads the version the webhook announces from date_modified_gmt (UTC without an offset)', () => {
    const dated = Buffer.from(JSON.stringify({ id: 4750, status: 'processing', date_modified: '2026-03-01T10:45:00', date_modified_gmt: '2026-03-01T09:45:00' }));
    expect(parseWoocommerce(dated, headers)).toMatchObject({ ok: true, events: [{ version: '2026-03-01T09:45:00.000Z' }] });
    // A creation's body is built when Woo delivers it: it stands for no version.
    const created = parseWoocommerce(dated, { ...headers, topic: 'order.created' });
    expect(created.ok && created.events[0]).not.toHaveProperty('version');
    // Unreadable: the event is kept without a version (the catch-up then counts the change as not announced).
    const odd = Buffer.from(JSON.stringify({ id: 4750, date_modified_gmt: 'yesterday' }));
    const parsed = parseWoocommerce(odd, headers);
    expect(parsed.ok && parsed.events[0]).not.toHaveProperty('version');
  });

  it('accepts order.deleted, which carries only the id', () => {
    const parsed = parseWoocommerce(Buffer.from('{"id":4750}'), { ...headers, topic: 'order.deleted' });
    expect(parsed.ok && parsed.events[0]).toMatchObject({ topic: 'order.deleted', businessKey: 'woocommerce:order:4750' });
  });

  it.each([
    [{ ...headers, deliveryId: undefined }, body, 'missing X-WC-Webhook-Delivery-ID header'],
    [{ ...headers, topic: undefined }, body, 'missing X-WC-Webhook-Topic header'],
    [{ ...headers, resource: 'product' }, body, 'unexpected resource product'],
    [headers, Buffer.from('{"id":'), 'body is not valid JSON'],
    [headers, Buffer.from('{"id":"4750"}'), 'invalid order payload: id'],
    [headers, Buffer.from('[]'), 'invalid order payload'],
  ])('refuses %j with a reason', (h, raw, reason) => {
    const parsed = parseWoocommerce(raw, h);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });

  it('keeps topics no flow takes as ignored events (Woo disables a webhook that keeps failing)', () => {
    const parsed = parseWoocommerce(Buffer.from('{"id":9}'), { ...headers, topic: 'product.updated', resource: 'product' });
    expect(parsed).toMatchObject({ ok: true, events: [{ topic: 'product.updated', businessKey: 'woocommerce:product:9', ignored: true }] });
  });

  it('recognises the unsigned ping Woo sends when a webhook is saved', () => {
    expect(isWoocommercePing(Buffer.from('webhook_id=12'), {})).toBe(true);
    expect(isWoocommercePing(Buffer.from('webhook_id=12'), { topic: 'order.created' })).toBe(false);
    expect(isWoocommercePing(body, {})).toBe(false);
  });

  it('tells creations, updates and cancellations apart (Woo has no cancelled topic)', () => {
    expect(orderKind('order.created', { id: 1, status: 'pending' })).toBe('order-created');
    expect(orderKind('order.updated', { id: 1, status: 'processing' })).toBe('order-updated');
    expect(orderKind('order.updated', { id: 1, status: 'cancelled' })).toBe('order-cancelled');
    expect(orderKind('order.updated', { id: 1, status: 'trash' })).toBe('order-cancelled');
    expect(orderKind('order.deleted', { id: 1 })).toBe('order-cancelled');
    expect(orderKind('product.updated', { id: 1 })).toBeNull();
  });
});
