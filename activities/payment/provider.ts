import type { Charge, Dispute, Payment, PaymentsPort, Refund } from '../../ports/payments';
import { portOf } from '../shared/ports';
import { callVendor } from '../shared/vendor-errors';

/**
 * The payment flow's reads from the payment provider. Every pass reads the payment's whole current state (payment,
 * charge, refunds, disputes), so events may arrive in any order, twice, or not at all: only the latest state counts.
 * One read usually brings it all (Stripe: the intent with its charge, fee and refunds expanded, and whether it was
 * ever disputed); the listings run only for what it could not say.
 */

export interface PaymentState {
  payment: Payment;
  charge: Charge | null;
  refunds: Refund[];
  disputes: Dispute[];
}

export function createPaymentProviderActivities(deps: { payments: ReadonlyMap<string, PaymentsPort> }) {
  return {
    /** The payment as the provider sees it now; null when the provider does not know it (404). */
    async readPaymentState(paymentId: string, connection: string): Promise<PaymentState | null> {
      const port = portOf(deps.payments, connection, 'payments');
      const details = await callVendor(() => port.getPaymentDetails(paymentId), { notFound: null });
      if (!details) return null;
      const { payment, charge } = details;
      const captured = payment.status === 'captured' || (charge?.capturedMinor ?? 0) > 0;
      if (!captured) return { payment, charge, refunds: [], disputes: [] };
      // What the read brought is used; only what it could not say is listed.
      const [refunds, disputes] = await Promise.all([
        details.refunds ?? callVendor(() => port.listRefunds(paymentId)),
        details.disputed === false ? [] : callVendor(() => port.listDisputes(paymentId)),
      ]);
      return { payment, charge, refunds, disputes };
    },
  };
}

export type PaymentProviderActivities = ReturnType<typeof createPaymentProviderActivities>;
