/**
 * Shopify's query-cost throttling, seen from the client: what the `extensions.cost` of each answer says about the
 * shop's leaky bucket, how long to wait before a query it cannot hold yet, and the exact wait after THROTTLED.
 */

export interface ThrottleStatus { maximumAvailable: number; currentlyAvailable: number; restoreRate: number }
export interface CostExtension { requestedQueryCost?: number; actualQueryCost?: number | null; throttleStatus?: ThrottleStatus }

/** What this client last learnt of the shop's bucket, and the cost each operation was charged. */
export class CostPacer {
  private status: ThrottleStatus | undefined;
  private seenAt = 0;
  private readonly costs = new Map<string, number>();

  learn(operation: string, cost: CostExtension | undefined, now: number): void {
    if (cost?.requestedQueryCost !== undefined) this.costs.set(operation, cost.requestedQueryCost);
    if (cost?.throttleStatus) {
      this.status = cost.throttleStatus;
      this.seenAt = now;
    }
  }

  /**
   * How long until the bucket should hold this operation's cost again (0 when unknown or already fine). The cost
   * last charged wins; `expectedCost` stands in before the operation was ever sent.
   */
  waitMs(operation: string, now: number, expectedCost?: number): number {
    const cost = this.costs.get(operation) ?? expectedCost;
    const s = this.status;
    if (cost === undefined || !s || s.restoreRate <= 0 || cost > s.maximumAvailable) return 0;
    const available = Math.min(s.maximumAvailable, s.currentlyAvailable + ((now - this.seenAt) / 1000) * s.restoreRate);
    return cost <= available ? 0 : Math.ceil(((cost - available) / s.restoreRate) * 1000);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exactly how long until the bucket holds the refused query: (requested − available) / restoreRate. */
export function throttleWaitMs(cost: CostExtension | undefined): number {
  const s = cost?.throttleStatus;
  const requested = cost?.requestedQueryCost;
  if (!s || requested === undefined || s.restoreRate <= 0) return 1_000;
  const missing = Math.max(requested - s.currentlyAvailable, 1);
  return Math.ceil((missing / s.restoreRate) * 1000);
}
