import { createHmac } from 'node:crypto';
import { signHubspotV3, verifyHubspotV3 } from '../../connectors/hubspot/signature';
import { signShopify, verifyShopify } from '../../connectors/shopify/signature';
import { signStripe, verifyStripe } from '../../connectors/stripe/signature';

const body = Buffer.from('[{"eventId":1,"subscriptionType":"contact.creation","objectId":7}]');

describe('HubSpot signature v3', () => {
  const now = 1_780_000_000_000;
  const uri = 'https://relay.example.com/webhooks/hubspot?portal=42';
  const signed = (overrides: Partial<Parameters<typeof verifyHubspotV3>[0]> = {}) => verifyHubspotV3({
    secret: 's3cret', method: 'POST', uri, rawBody: body, nowMs: now,
    signature: signHubspotV3('s3cret', 'POST', uri, body, now - 1000), timestamp: String(now - 1000), ...overrides,
  });

  it('is base64 HMAC-SHA256 of method + URI + body + timestamp', () => {
    const expected = createHmac('sha256', 's3cret').update(`POST${uri}${body.toString()}${now}`).digest('base64');
    expect(signHubspotV3('s3cret', 'POST', uri, body, now)).toBe(expected);
  });
  it('accepts a fresh, correct signature', () => expect(signed()).toEqual({ ok: true }));
  it('refuses another secret, a changed body, a missing header', () => {
    expect(signed({ secret: 'other' })).toMatchObject({ ok: false, reason: 'signature mismatch' });
    expect(signed({ rawBody: Buffer.from('[]') })).toMatchObject({ ok: false });
    expect(signed({ signature: undefined })).toMatchObject({ ok: false, reason: expect.stringMatching(/missing/) });
  });
  it('refuses timestamps older than five minutes', () => {
    const old = now - 5 * 60 * 1000 - 1;
    expect(signed({ timestamp: String(old), signature: signHubspotV3('s3cret', 'POST', uri, body, old) })).toMatchObject({ ok: false, reason: expect.stringMatching(/window/) });
  });
  it('signs the URI with the characters HubSpot decodes', () => {
    const encoded = 'https://relay.example.com/webhooks/hubspot?a=%3Ab%40c';
    expect(signHubspotV3('k', 'POST', encoded, body, now)).toBe(signHubspotV3('k', 'POST', 'https://relay.example.com/webhooks/hubspot?a=:b@c', body, now));
  });
});

describe('Shopify HMAC', () => {
  it('verifies base64 HMAC of the raw body and refuses tampering', () => {
    const signature = signShopify('shp', body);
    expect(verifyShopify({ secret: 'shp', rawBody: body, signature })).toEqual({ ok: true });
    expect(verifyShopify({ secret: 'shp', rawBody: Buffer.from(body.toString() + ' '), signature })).toMatchObject({ ok: false });
    expect(verifyShopify({ secret: 'shp', rawBody: body, signature: undefined })).toMatchObject({ ok: false });
  });
});

describe('Stripe-Signature', () => {
  const t = 1_780_000_000;
  it('accepts any of several v1 signatures within 300 s', () => {
    const good = signStripe('whsec_x', body, t).split(',')[1];
    const header = `t=${t},v1=${'0'.repeat(64)},${good},v0=ignored`;
    expect(verifyStripe({ secret: 'whsec_x', rawBody: body, header, nowSeconds: t + 299 })).toEqual({ ok: true });
  });
  it('refuses outside the tolerance, without v1, or with a wrong secret', () => {
    const header = signStripe('whsec_x', body, t);
    expect(verifyStripe({ secret: 'whsec_x', rawBody: body, header, nowSeconds: t + 301 })).toMatchObject({ ok: false });
    expect(verifyStripe({ secret: 'whsec_x', rawBody: body, header: `t=${t}`, nowSeconds: t })).toMatchObject({ ok: false, reason: expect.stringMatching(/v1/) });
    expect(verifyStripe({ secret: 'whsec_y', rawBody: body, header, nowSeconds: t })).toMatchObject({ ok: false, reason: 'signature mismatch' });
  });
});
