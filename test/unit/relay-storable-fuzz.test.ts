import fc from 'fast-check';
import { parseHubspot } from '../../connectors/hubspot/webhooks';
import { parseStripe } from '../../connectors/stripe/webhooks';
import { parseShopify } from '../../connectors/shopify/webhooks';
import { hostileJson } from '../../reliability/hostile';
import { isStorable, MAX_PAYLOAD_DEPTH, printable, storable, unstorableIn } from '../../relay/storable';

/**
 * Regressions from fuzzing the relay (test/integration/fuzz-endpoints.test.ts): authentic deliveries PostgreSQL cannot
 * store were answered 503 (a failed insert) and would have been retried by the vendor for days. They are now refused
 * as unprocessable, with a reason quarantine can store.
 */

const body = (value: unknown) => Buffer.from(JSON.stringify(value));

test('the counterexample: a lone surrogate in a HubSpot property value is unprocessable, naming the field', () => {
  const raw = body([{ eventId: 8204200170, subscriptionType: 'contact.creation', objectId: 1, propertyName: "'; DROP TABLE erp.customer; --", propertyValue: '\ud800' }]);
  expect(storable(parseHubspot('hubspot', raw))).toEqual({
    ok: false, reason: 'unprocessable payload: event 0.propertyValue: contains a NUL character or a lone UTF-16 surrogate, which cannot be stored',
  });
});

test('a NUL in an id, a key or a value is unprocessable; a proper surrogate pair (an emoji) and SQL-like text are fine', () => {
  expect(storable(parseStripe('stripe', body({ id: 'evt_\u0000', object: 'event', type: 'customer.created', data: { object: { id: 'c', object: 'customer' } } }))))
    .toMatchObject({ ok: false, reason: expect.stringContaining('its event id contains a NUL') });
  expect(storable(parseShopify('shopify', body({ id: 1, note: { 'a\u0000': 1 } }), { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'w' })))
    .toMatchObject({ ok: false, reason: expect.stringContaining('event 0.note: a key contains') });
  const fine = storable(parseShopify('shopify', body({ id: 1, note: "🙂 ' OR 1=1 -- \u202e\r\n\u0001" }), { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'w' }));
  expect(fine.ok).toBe(true);
});

test('nesting up to the limit is kept, deeper is unprocessable, and the walk does not recurse', () => {
  const nest = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
  expect(unstorableIn({ a: nest(MAX_PAYLOAD_DEPTH - 1) }, 'p')).toBeNull();
  expect(unstorableIn({ a: nest(MAX_PAYLOAD_DEPTH) }, 'p')).toMatch(/nested deeper than 256 levels$/);
  expect(unstorableIn(nest(100_000), 'p')).toMatch(/nested deeper/);
});

test('a refusal reason echoing a hostile key is made storable', () => {
  expect(printable('x.\u0000\ud800y: required')).toBe('x.\ufffd\ufffdy: required');
  expect(storable({ ok: false, reason: 'bad \u0000' })).toEqual({ ok: false, reason: 'bad \ufffd' });
});

test('the quick pass (isStorable) finds exactly what the worded walk (unstorableIn) finds', () => {
  const nested = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : depth % 2 ? [nested(depth - 1, leaf)] : { k: nested(depth - 1, leaf) });
  const value = fc.oneof(
    hostileJson,
    fc.tuple(fc.integer({ min: MAX_PAYLOAD_DEPTH - 3, max: MAX_PAYLOAD_DEPTH + 3 }), fc.constantFrom<unknown>(1, 'a', [], {}, '\u0000', '\udc00x')).map(([d, leaf]) => nested(d, leaf)),
    fc.dictionary(fc.constantFrom('a', 'b\u0000', '\ud83d', '\ud83d\ude42'), fc.constantFrom<unknown>('ok', '\ud800', '\ud83d\ude42', 0, null)),
  );
  let refused = 0;
  fc.assert(fc.property(value, (v) => {
    const quick = isStorable(v);
    if (!quick) refused++;
    expect(quick).toBe(unstorableIn(v, 'x') === null);
  }), { numRuns: 2000 });
  expect(refused).toBeGreaterThan(100);
});
