import { AsyncLocalStorage } from 'node:async_hooks';
import type { VendorCallOutcome } from './metrics';

/**
 * Which vendor a call went to. Activities call vendors through `callVendor` (activities/shared/vendor-errors.ts),
 * which sees the outcome but not the vendor of a call that succeeded; the connectors' HTTP layers note the vendor
 * of each request they send (`noteVendorRequest`), and the note lands in the store of the call it belongs to.
 */

interface VendorCallScope { vendors: Set<string> }

const scope = new AsyncLocalStorage<VendorCallScope>();

/** Runs one vendor call, and tells which vendors it sent requests to. */
export async function withVendorScope<T>(call: () => Promise<T>): Promise<{ value: T; vendors: string[] } | { error: unknown; vendors: string[] }> {
  const store: VendorCallScope = { vendors: new Set() };
  try {
    const value = await scope.run(store, call);
    return { value, vendors: [...store.vendors] };
  } catch (error) {
    return { error, vendors: [...store.vendors] };
  }
}

/** Called by a connector for each request it sends; outside a vendor call it does nothing. */
export function noteVendorRequest(vendor: string): void {
  scope.getStore()?.vendors.add(vendor);
}

/** The outcome of a failed call from its classified error (domain/http-status.ts: rate-limited, permanent, retryable). */
export function failedCallOutcome(statusClass: string | undefined): VendorCallOutcome {
  return statusClass === 'rate-limited' ? 'rate_limited' : 'error';
}
