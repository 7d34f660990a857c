import { catchupAction } from '../../domain/order-catchup';
import { sameOrderContent } from '../../domain/order-rules';
import { shopAddress, shopOrder } from '../support/shop-order-fixture';

describe('what the order catch-up does with a listed order', () => {
  const listed = (updatedAt: string, cancelled = false) => ({ id: '1001', updatedAt, cancelled });
  const at = (iso: string) => new Date(iso);

  it('starts the flow of an order the ERP does not know, and leaves one cancelled before it knew it', () => {
    expect(catchupAction(listed('2026-03-01T10:00:00Z'), false, undefined)).toBe('start-flow');
    expect(catchupAction(listed('2026-03-01T10:00:00Z', true), false, undefined)).toBe('skip-cancelled');
    // Announced versions do not matter while the ERP lacks the order: its flow re-reads it anyway.
    expect(catchupAction(listed('2026-03-01T10:00:00Z'), false, at('2026-03-01T10:00:00Z'))).toBe('start-flow');
  });

  it('leaves a known order whose listed version a webhook announced (or a newer one)', () => {
    expect(catchupAction(listed('2026-03-01T10:00:00Z'), true, at('2026-03-01T10:00:00Z'))).toBe('announced');
    expect(catchupAction(listed('2026-03-01T10:00:00Z'), true, at('2026-03-01T10:00:05Z'))).toBe('announced');
    // The same instant written with another precision or offset.
    expect(catchupAction(listed('2026-03-01T05:00:00-05:00'), true, at('2026-03-01T10:00:00.000Z'))).toBe('announced');
  });

  it('hands over a change of a known order no webhook announced, as an edit or a cancellation', () => {
    expect(catchupAction(listed('2026-03-01T10:00:01Z'), true, at('2026-03-01T10:00:00Z'))).toBe('reannounce-change');
    expect(catchupAction(listed('2026-03-01T10:00:01Z'), true, undefined)).toBe('reannounce-change');
    expect(catchupAction(listed('2026-03-01T10:00:01Z', true), true, at('2026-03-01T10:00:00Z'))).toBe('reannounce-cancellation');
  });
});

describe('whether the shop\'s answer to our write shows what the flow holds', () => {
  const held = shopOrder({ version: '2026-03-01T10:00:00.000Z' });

  it('agrees when only the version, the tags and the payment moved (our write)', () => {
    expect(sameOrderContent(held, { ...held, version: '2026-03-01T10:00:03.000Z', tags: ['erp:SO-10001'], payment: null })).toBe(true);
  });

  it('differs on another address, other lines, another total, or a cancellation', () => {
    expect(sameOrderContent(held, { ...held, shippingAddress: shopAddress('Someone Else') })).toBe(false);
    expect(sameOrderContent(held, { ...held, lines: held.lines.map((l) => ({ ...l, quantity: l.quantity + 1 })) })).toBe(false);
    expect(sameOrderContent(held, { ...held, totalMinor: held.totalMinor + 1 })).toBe(false);
    expect(sameOrderContent(held, { ...held, cancelledAt: '2026-03-01T10:00:02.000Z' })).toBe(false);
  });
});
