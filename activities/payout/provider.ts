import type { PaymentsPort, Payout } from '../../ports/payments';
import { portOf } from '../shared/ports';
import { callVendor } from '../shared/vendor-errors';

/** The payout flow's read from the payment provider: the payout as it stands now, whatever event woke the flow. */
export function createPayoutProviderActivities(deps: { payments: ReadonlyMap<string, PaymentsPort> }) {
  return {
    /** Null when the provider does not know the payout (404). */
    async readPayout(payoutId: string, connection: string): Promise<Payout | null> {
      const port = portOf(deps.payments, connection, 'payments');
      return callVendor(() => port.getPayout(payoutId), { notFound: null });
    },
  };
}

export type PayoutProviderActivities = ReturnType<typeof createPayoutProviderActivities>;
