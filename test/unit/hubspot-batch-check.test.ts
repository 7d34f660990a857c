import fc from 'fast-check';
import { batchProblem, HUBSPOT_TOPICS, isWellFormedBatch, parseHubspot } from '../../connectors/hubspot/webhooks';

/**
 * The relay checks HubSpot batches by hand (isWellFormedBatch) and asks zod (batchProblem) only to word a refusal.
 * The two must agree on every value: a batch the hand check accepted but the schemas refuse would be stored
 * instead of quarantined.
 */

/** Values each field might hold: right, wrong type, edge numbers, digit strings and not. */
const fieldValue = fc.oneof(
  fc.constant(undefined), fc.constant(null), fc.boolean(),
  fc.integer({ min: -5, max: 5 }), fc.nat(), fc.constantFrom(0, -0, 1.5, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e300, Number.MAX_VALUE),
  fc.constantFrom('', '0', '42', '007', ' 1', '1 ', '1e3', '-1', '١٢', 'abc', '9'.repeat(40)),
  fc.string({ maxLength: 6 }), fc.array(fc.nat(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.nat(), { maxKeys: 2 }),
);
const subscriptionType = fc.oneof(fc.constantFrom(...HUBSPOT_TOPICS, 'deal.creation', 'company.propertyChange', '', 'constructor', '__proto__', 'toString'), fieldValue);

const event = fc.record(
  { eventId: fieldValue, subscriptionType, objectId: fieldValue, portalId: fieldValue, occurredAt: fieldValue, propertyName: fieldValue, propertyValue: fieldValue, extra: fieldValue },
  { requiredKeys: [] },
).map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));

/** Mostly well-formed events, so that both verdicts come up often. */
const goodEvent = fc.record({
  eventId: fc.oneof(fc.nat(), fc.nat().map(String)),
  subscriptionType: fc.constantFrom(...HUBSPOT_TOPICS, 'deal.creation'),
  objectId: fc.oneof(fc.integer({ min: 1 }), fc.nat().map(String)),
  portalId: fc.nat(), occurredAt: fc.nat(), propertyName: fc.string({ maxLength: 5 }), propertyValue: fc.string({ maxLength: 5 }),
});

const batch = fc.oneof(
  fc.array(fc.oneof(goodEvent, event), { minLength: 0, maxLength: 4 }),
  fc.array(goodEvent, { minLength: 1, maxLength: 4 }),
  fc.array(goodEvent, { minLength: 99, maxLength: 102 }),
  fieldValue,
  fc.array(fieldValue, { maxLength: 3 }),
);

test('the hand-written check accepts exactly what the zod schemas accept', () => {
  let accepted = 0;
  fc.assert(
    fc.property(batch, (value) => {
      // Through JSON, as a delivery arrives (undefined fields vanish, -0 becomes 0).
      const sent = JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
      const quick = isWellFormedBatch(sent);
      if (quick) accepted++;
      expect(quick).toBe(batchProblem(sent) === null);
    }),
    { numRuns: 3000 },
  );
  expect(accepted).toBeGreaterThan(300);
});

test('the values themselves too, also those JSON cannot carry', () => {
  fc.assert(fc.property(batch, (value) => expect(isWellFormedBatch(value)).toBe(batchProblem(value) === null)), { numRuns: 3000 });
});

test('a refused batch is worded by the schemas, naming the field', () => {
  const raw = Buffer.from(JSON.stringify([{ eventId: 1, subscriptionType: 'deal.creation' }, { eventId: 2, subscriptionType: 'contact.creation', objectId: 0 }]));
  expect(parseHubspot('hubspot', raw)).toEqual({ ok: false, reason: expect.stringMatching(/^invalid HubSpot event batch: 1\.objectId: /) });
  expect(parseHubspot('hubspot', Buffer.from('[]'))).toEqual({ ok: false, reason: expect.stringMatching(/^invalid HubSpot event batch: \(body\): /) });
});
