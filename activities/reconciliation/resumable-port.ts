import type { PaymentsPort } from '../../ports/payments';

/**
 * A payments port whose listings remember where they stand: each list request records the cursor it was made
 * with (`onProgress`, for the activity's heartbeat), and a listing that starts again from the top resumes at the
 * cursor a failed attempt recorded. The page at that cursor is read again, which staging takes idempotently.
 */
export type ListingProgress = Record<string, string>;

export function resumablePort(port: PaymentsPort, resumeFrom: ListingProgress, onProgress: (progress: ListingProgress) => void): PaymentsPort {
  const progress: ListingProgress = { ...resumeFrom };
  const pending = { ...resumeFrom };
  const cursorFor = (listing: string, cursor: string | undefined): string | undefined => {
    const resumed = cursor === undefined ? pending[listing] : undefined;
    delete pending[listing];
    const from = cursor ?? (resumed || undefined);
    progress[listing] = from ?? '';
    onProgress(progress);
    return from;
  };
  const wrapped: Partial<PaymentsPort> = {
    listPayouts: (opts) => {
      const cursor = cursorFor('payouts', opts.cursor);
      return port.listPayouts({ ...opts, ...(cursor ? { cursor } : {}) });
    },
    listBalanceTransactions: (opts) => {
      const cursor = cursorFor(opts.payoutId ? `payout:${opts.payoutId}` : 'created', opts.cursor);
      return port.listBalanceTransactions({ ...opts, ...(cursor ? { cursor } : {}) });
    },
  };
  return Object.assign(Object.create(port) as PaymentsPort, wrapped);
}
