import { Context } from '@temporalio/activity';
import type { IssueActivities, IssueInput } from '../../../activities/shared/issue-log';
import type { OrderActivities } from '../../../activities/order';
import type { ShopOrder } from '../../../domain/order';
import { shopOrder } from '../../support/shop-order-fixture';
import type { ProbeActivities } from './runtime-probe-workflow';

/**
 * In-memory stand-ins for every activity the order flow, the flow runtime and the runtime probe call. Each call is recorded with
 * its attempt number and the server's time; a test reprograms any activity through `impl`, and awaits a
 * call with `called(name, n)` instead of sleeping.
 */

type Activities = OrderActivities & IssueActivities & ProbeActivities;
export type ActivityName = keyof Activities;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Impl = (...args: any[]) => unknown;

/** `atMs` is the test server's (skipped) time when the call started. */
export interface Call { name: ActivityName; args: unknown[]; attempt: number; atMs: number }

/** What the fakes keep: the shop's current order, the ERP's order total, the issue log. */
export interface FakeWorld {
  shop: ShopOrder;
  erpTotalMinor: number | null;
  issues: Array<IssueInput & { id: number }>;
}

export const SALES_ORDER = { salesOrderId: 42, orderNumber: 'SO-42', status: 'open', created: true };

/** An order of one line, 2500 minor units, with an authorisation made at checkout unless overridden. */
export const orderWithPayment = (over: Partial<ShopOrder> = {}): ShopOrder =>
  shopOrder({ payment: { gateway: 'stripe', paymentId: 'pi_checkout', kind: 'authorised', amountMinor: 2500 }, ...over });

function defaults(world: FakeWorld): Record<ActivityName, Impl> {
  const settled = (paymentId: string) => ({
    paymentId, status: 'captured', amountMinor: world.erpTotalMinor, feeMinor: 0, currency: world.shop.currency,
  });
  return {
    fetchShopOrder: () => structuredClone(world.shop),
    tagShopOrder: () => undefined,
    cancelShopOrder: () => undefined,
    fulfilInShop: () => undefined,
    fulfilOrder: () => undefined,
    ensureOrderCustomer: () => ({ customerId: 7, customerNumber: 'C-1007', created: true }),
    removeOrderCustomer: () => ({ removed: true }),
    createSalesOrder: (order: ShopOrder) => {
      world.erpTotalMinor = order.totalMinor;
      return SALES_ORDER;
    },
    cancelSalesOrder: () => undefined,
    applyOrderEdit: (_id: number, order: ShopOrder, linesChanged: boolean) => {
      if (linesChanged) world.erpTotalMinor = order.totalMinor;
    },
    reserveStock: () => ({ ok: true, reserved: 1 }),
    releaseStock: () => undefined,
    postInvoice: () => ({ invoiceNumber: 'INV-42', status: 'paid' }),
    voidInvoice: () => undefined,
    confirmOrder: () => ({ processingMs: 5 }),
    shipInErp: () => undefined,
    verifyPayment: () => ({ ok: true, kind: 'authorised', amountMinor: world.erpTotalMinor, currency: world.shop.currency }),
    capturePayment: (_id: number, paymentId: string) => settled(paymentId),
    recordCapturedPayment: (_id: number, paymentId: string) => settled(paymentId),
    undoPayment: () => 'cancelled',
    recordIssue: (input: IssueInput) => {
      const id = 100 + world.issues.length;
      world.issues.push({ ...input, id });
      return id;
    },
    closeIssue: () => undefined,
    remindIssue: () => undefined,
    work: (step: string) => `${step} done`,
    undo: () => undefined,
  };
}

export class FakeActivities {
  readonly calls: Call[] = [];
  readonly world: FakeWorld;
  /** The behaviour of each activity; replace an entry to program failures or gates. */
  readonly impl: Record<ActivityName, Impl>;
  private waiters: Array<() => void> = [];
  /** The test server's clock, which time skipping moves (set by the test environment). */
  clock: () => Promise<number> = async () => Date.now();

  constructor(order: ShopOrder = orderWithPayment()) {
    this.world = { shop: order, erpTotalMinor: null, issues: [] };
    this.impl = defaults(this.world);
  }

  /** The worker's activities: each records its call, then runs the current `impl`. */
  get activities(): Record<ActivityName, Impl> {
    const entries = (Object.keys(this.impl) as ActivityName[]).map((name) => [name, (...args: unknown[]) => this.run(name, args)]);
    return Object.fromEntries(entries);
  }

  private async run(name: ActivityName, args: unknown[]): Promise<unknown> {
    const { attempt } = Context.current().info;
    this.calls.push({ name, args, attempt, atMs: await this.clock() });
    for (const wake of this.waiters.splice(0)) wake();
    return this.impl[name](...args);
  }

  callsOf(name: ActivityName): Call[] {
    return this.calls.filter((c) => c.name === name);
  }

  /** The names of the calls, in order, limited to those given. */
  sequence(...names: ActivityName[]): ActivityName[] {
    return this.calls.map((c) => c.name).filter((n) => names.includes(n));
  }

  /** Resolves once `name` has been called at least `count` times (jest's timeout bounds the wait). */
  async called(name: ActivityName, count = 1): Promise<Call[]> {
    while (this.callsOf(name).length < count) await new Promise<void>((wake) => this.waiters.push(wake));
    return this.callsOf(name);
  }
}

/** Names of the undo activities, for "nothing was undone" checks. */
export const UNDO_ACTIVITIES: ActivityName[] = ['cancelShopOrder', 'undoPayment', 'removeOrderCustomer', 'cancelSalesOrder', 'releaseStock', 'voidInvoice'];
