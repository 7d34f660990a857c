import type { EntityMapping } from '../mapping-table';
import { toPayment } from './mapper';

const PAYMENTS = 'erp/payments/payments.ts';

/**
 * A Stripe PaymentIntent onto the payments port's Payment. The connector's client (`client.ts`) reads the
 * PaymentIntent with the official SDK into a `PaymentIntentView` (camel-case names, upper-case currency), which
 * `toPayment` maps; the table names Stripe's own fields.
 */
export const STRIPE_PAYMENT_MAPPING: EntityMapping = {
  vendor: 'stripe',
  entity: 'PaymentIntent (`GET /v1/payment_intents/{id}`)',
  engineType: 'Payment',
  mapper: '`connectors/stripe/client.ts` (`PaymentIntentView`), `connectors/stripe/mapper.ts` `toPayment`',
  map: (view) => toPayment(view as never),
  sample: {
    id: 'pi_1', status: 'requires_capture', amountMinor: 5000, amountCapturableMinor: 5000, amountReceivedMinor: 0, currency: 'EUR',
    latestChargeId: 'ch_1', metadata: { shop_order_id: '1001' },
  },
  fields: [
    { vendor: 'id', engine: 'id', rule: 'as is; the id in workflow ids and business keys', erp: { column: 'erp.payment.provider_payment_id', file: PAYMENTS }, example: { value: 'pi_42', engine: 'pi_42' } },
    { vendor: 'status', engine: 'status', rule: '`requires_payment_method`, `requires_confirmation`, `requires_action` → `pending`; `processing` → `processing`; `requires_capture` → `authorised`; `succeeded` → `captured`; `canceled` → `cancelled`; anything else → `processing`', erp: { column: 'erp.payment.status', file: PAYMENTS }, example: { value: 'succeeded', engine: 'captured' } },
    { vendor: 'amount', engine: 'amountMinor', rule: 'already integer minor units', erp: { column: 'erp.payment.amount_minor', file: PAYMENTS }, example: { path: 'amountMinor', value: 7186, engine: 7186 } },
    { vendor: 'amount_capturable', engine: 'capturableMinor', rule: 'minor units', example: { path: 'amountCapturableMinor', value: 100, engine: 100 } },
    { vendor: 'amount_received', engine: 'receivedMinor', rule: 'minor units; what was actually taken', example: { path: 'amountReceivedMinor', value: 4800, engine: 4800 } },
    { vendor: 'currency', engine: 'currency', rule: 'Stripe\'s lower-case code, upper-cased (ISO 4217) by the client\'s view', erp: { column: 'erp.payment.currency', file: PAYMENTS }, example: { value: 'USD', engine: 'USD' } },
    { vendor: 'latest_charge', engine: 'chargeId', rule: 'the charge of the captured money', erp: { column: 'erp.payment.provider_charge_id', file: PAYMENTS }, example: { path: 'latestChargeId', value: 'ch_42', engine: 'ch_42' } },
    { vendor: 'metadata.shop_order_id, else metadata.order_id', engine: 'orderReference', rule: 'the shop order the checkout named (ours, else the WooCommerce gateway\'s); finds the payment\'s ERP order', example: { path: 'metadata', value: { order_id: '4750' }, engine: '4750' } },
  ],
};

export const MAPPINGS: readonly EntityMapping[] = [STRIPE_PAYMENT_MAPPING];
