import { randomBytes } from 'node:crypto';
import { knownOrderVersions } from '../../engine/order-versions';
import { ensureOrderCatchupSchedules, catchupScheduleIdOf, type OrderCatchupScheduleSettings } from '../../workers/catchup-schedule';
import { DEFAULT_ORDER_CATCHUP_POLICY, ORDER_CATCHUP_STREAM, type OrderCatchupOutcome } from '../../workflows/catchup/api';
import { orderCatchup } from '../../workflows/catchup/workflow';
import type { OrderPolicy } from '../../workflows/order/api';
import { decideUpdate } from '../../workflows/shared/operator-api';
import { eventually, startHarness, type Harness } from '../support/harness';
import { erpView, expectUndone, openIssue, reachesState } from '../support/orders';
import { shopDriver, type ShopDriver, type ShopName } from '../support/shop-drivers';

/**
 * Order changes no webhook announced: the scheduled catch-up lists each shop's orders changed since its cursor and
 * hands every one the ERP lacks to its order flow through the same workflow id as the webhook (signal-with-start),
 * so a late or simultaneous webhook and the catch-up still make one flow and one ERP order; a change of a known
 * order whose webhook never came (an edit, a cancellation) goes to its flow through the inbox, as the webhook would.
 */

const ORDER_POLICY: OrderPolicy = { shortfall: 'cancel', paymentWaitSeconds: 30, cancelShopOrderOnFailure: true };

describe.each(['shopify', 'woocommerce'] as const)('%s', (shopName: ShopName) => {
  let h: Harness;
  let shop: ShopDriver;

  beforeAll(async () => {
    h = await startHarness();
    shop = shopDriver(h, shopName);
    await shop.seedProduct('CUP', 100, 1200);
  });
  afterAll(async () => h?.close());
  afterEach(async () => shop.reset());

  const catchUp = (): Promise<OrderCatchupOutcome> => h.client.workflow.execute(orderCatchup, {
    workflowId: `catchup-${shopName}-${randomBytes(4).toString('hex')}`, taskQueue: h.taskQueue,
    args: [{ shop: shopName, policy: DEFAULT_ORDER_CATCHUP_POLICY, orderPolicy: ORDER_POLICY }],
  });

  async function runsOf(workflowId: string): Promise<Array<{ runId: string; status: string }>> {
    const runs: Array<{ runId: string; status: string }> = [];
    for await (const w of h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push({ runId: w.runId, status: w.status.name });
    return runs;
  }
  /** The flow's runs, once visibility shows any. */
  const visibleRuns = (workflowId: string) =>
    eventually(`${workflowId} visible`, async () => {
      const runs = await runsOf(workflowId);
      return runs.length > 0 ? runs : undefined;
    });
  const salesOrders = async () => (await h.pool.query('SELECT count(*)::int AS n FROM erp.sales_order')).rows[0].n as number;
  const cursorAt = async () => (await h.pool.query(
    'SELECT cursor_at FROM integration.sync_cursor WHERE system = $1 AND stream = $2', [shopName, ORDER_CATCHUP_STREAM],
  )).rows[0]?.cursor_at as Date | undefined;

  test('an order no webhook announced reaches the ERP through one catch-up run; the next run leaves it alone', async () => {
    await shop.pointWebhooks('nowhere');
    const before = await salesOrders();
    const placed = await shop.placeOrder({ lines: [{ sku: 'CUP', quantity: 2, unitPriceMinor: 1200 }], payment: 'captured' });
    expect(await runsOf(placed.workflowId)).toEqual([]);

    const first = await catchUp();
    if (first.status !== 'caught-up') throw new Error(`catch-up ended ${first.status}`);
    expect(first.handedOver).toContain(placed.order.id);
    expect(Date.parse(first.window.since)).toBeLessThanOrEqual(Date.parse(placed.order.createdAt));
    expect((await cursorAt())?.toISOString()).toBe(first.window.until);

    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    const erp = await erpView(h, shopName, placed.order.id);
    expect(erp.order).toMatchObject({ status: 'invoiced', total_minor: 2400 });
    expect(await salesOrders()).toBe(before + 1);

    // The next run overlaps the first. The ERP knows the order now. It changed since (the ERP number was noted on
    // it) and no webhook announced that, webhooks going nowhere; but the shop's answer to that write showed the
    // flow what it held, so the flow has that version: nothing to hand over, no second read.
    const second = await catchUp();
    if (second.status !== 'caught-up') throw new Error(`catch-up ended ${second.status}`);
    expect(Date.parse(second.window.since)).toBeLessThan(Date.parse(first.window.until));
    expect(second.handedOver).not.toContain(placed.order.id);
    expect(second.reannounced).not.toContain(placed.order.id);
    expect(second.known).toBeGreaterThanOrEqual(1);
    expect(await catchupRows(placed.order.id)).toEqual([]);
    expect(await visibleRuns(placed.workflowId)).toHaveLength(1);
    expect(await salesOrders()).toBe(before + 1);
  });

  test('an edit of a known order whose webhook was lost reaches the ERP through the catch-up, once', async () => {
    const placed = await shop.placeOrder({ lines: [{ sku: 'CUP', quantity: 1, unitPriceMinor: 1200 }], payment: 'captured' });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await announcedUpToNow(placed.order.id);
    await shop.pointWebhooks('nowhere');
    await shop.changeShippingAddress(placed.order, {
      address1: '9 Lost Webhook Lane', city: 'Springfield', zip: '12345', countryCode: 'US', firstName: 'Ada', lastName: 'Buyer',
    });

    const run = await catchUp();
    if (run.status !== 'caught-up') throw new Error(`catch-up ended ${run.status}`);
    expect(run.reannounced).toContain(placed.order.id);
    expect(await catchupOutcome(placed.order.id)).toBe('update editOrder: {"applied":["address"]}');
    expect((await erpView(h, shopName, placed.order.id)).order).toMatchObject({ address1: '9 Lost Webhook Lane', status: 'invoiced' });

    const again = await catchUp();
    if (again.status !== 'caught-up') throw new Error(`catch-up ended ${again.status}`);
    expect(again.reannounced).not.toContain(placed.order.id);
    expect(await catchupRows(placed.order.id)).toHaveLength(1);
  });

  test('an edit whose webhook was lost between the flow\'s read and our ERP-number write does not hide behind that write\'s echo', async () => {
    h.activityFaults.set('tagShopOrder', { remaining: 1 });
    const placed = await shop.placeOrder({ lines: [{ sku: 'CUP', quantity: 1, unitPriceMinor: 1200 }], payment: 'captured' });
    const held = await openIssue(h, placed.workflowId);
    await pastAnnouncedVersion(placed.order.id);
    await shop.pointWebhooks('nowhere');
    await shop.changeShippingAddress(placed.order, {
      address1: '4 Hidden Edit Road', city: 'Springfield', zip: '12345', countryCode: 'US', firstName: 'Ada', lastName: 'Buyer',
    });
    await shop.pointWebhooks('relay');
    // The ERP number is written now; the shop announces that write (showing the edit too) and the relay takes it for our echo.
    await h.client.workflow.getHandle(placed.workflowId).executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' }, issueId: held.id }] });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await eventually('the echo taken', async () => ((await h.pool.query(
      `SELECT 1 FROM integration.webhook_inbox WHERE business_key = $1 AND outcome LIKE 'echo of our own write%'`,
      [shop.businessKey(placed.order.id)])).rows[0]));
    expect((await erpView(h, shopName, placed.order.id)).order.address1).not.toBe('4 Hidden Edit Road');

    const run = await catchUp();
    expect(run).toMatchObject({ status: 'caught-up', reannounced: expect.arrayContaining([placed.order.id]) });
    expect(await catchupOutcome(placed.order.id)).toBe('update editOrder: {"applied":["address"]}');
    expect((await erpView(h, shopName, placed.order.id)).order.address1).toBe('4 Hidden Edit Road');
  });

  test('a cancellation of a known order whose webhook was lost undoes it through the catch-up', async () => {
    const placed = await shop.placeOrder({ lines: [{ sku: 'CUP', quantity: 3, unitPriceMinor: 1200 }], payment: 'captured' });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await announcedUpToNow(placed.order.id);
    await shop.pointWebhooks('nowhere');
    await shop.cancelInShop(placed.order.id);

    const run = await catchUp();
    expect(run).toMatchObject({ status: 'caught-up', reannounced: expect.arrayContaining([placed.order.id]) });
    expect(await h.client.workflow.getHandle(placed.workflowId).result()).toMatchObject({ status: 'cancelled', reason: 'cancelled in the shop' });
    await expectUndone(h, shop, placed, { shopCancelled: true });
  });

  /** The catch-up's own inbox events for the order (changes it found no webhook announced). */
  const catchupRows = async (shopOrderId: string) => (await h.pool.query(
    `SELECT topic, status, outcome FROM integration.webhook_inbox WHERE business_key = $1 AND event_id LIKE 'catchup:%' ORDER BY id`,
    [shop.businessKey(shopOrderId)])).rows as Array<{ topic: string; status: string; outcome: string | null }>;
  /** What the flow made of the catch-up's latest event for the order, once it has an outcome. */
  const catchupOutcome = (shopOrderId: string) => eventually('the catch-up event handed over', async () => {
    const row = (await catchupRows(shopOrderId)).at(-1);
    return row?.outcome && row.status !== 'pending' && !row.outcome.endsWith(' accepted') ? row.outcome : undefined;
  });
  /**
   * Waits until the shop's announcement of our own write (the ERP number) is in the inbox, and then until the clock
   * has left the second of the latest announced version: shops give versions to the second, so the test's change
   * must be of a later second to be told apart from the announced one (domain/order-catchup.ts).
   */
  async function announcedUpToNow(shopOrderId: string): Promise<void> {
    const echo = await eventually('the announcement of our ERP number', async () => (await h.pool.query(
      `SELECT source_version FROM integration.webhook_inbox WHERE business_key = $1 AND outcome LIKE 'echo of our own write%'`,
      [shop.businessKey(shopOrderId)])).rows[0]);
    // Not handed to the flow, so it brought the flow no version.
    expect(echo.source_version).toBeNull();
    await pastAnnouncedVersion(shopOrderId);
  }
  /** Until the clock has left the second of the latest version the order's flow was brought (its read, an event, our write). */
  async function pastAnnouncedVersion(shopOrderId: string): Promise<void> {
    const version = (await knownOrderVersions(h.pool, shopName, [shopOrderId])).brought.get(shopOrderId);
    expect(version).toBeInstanceOf(Date);
    await eventually('a second later than the announced version', async () => (Date.now() >= version!.getTime() + 1000 ? true : undefined));
  }

  test('the catch-up first and the webhook late make one flow and one ERP order', async () => {
    await shop.pointWebhooks('nowhere');
    const before = await salesOrders();
    const placed = await shop.placeOrder({ lines: [{ sku: 'CUP', quantity: 1, unitPriceMinor: 1200 }], payment: 'captured' });
    const result = await catchUp();
    expect(result).toMatchObject({ status: 'caught-up', handedOver: expect.arrayContaining([placed.order.id]) });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');

    await shop.pointWebhooks('relay');
    await shop.redeliverAndWait(1);
    await eventually('the late webhook handed to the flow', async () => {
      const { rows } = await h.pool.query(
        `SELECT count(*)::int AS n FROM integration.webhook_inbox WHERE business_key = $1 AND status <> 'pending'`, [shop.businessKey(placed.order.id)]);
      return rows[0].n > 0 ? true : undefined;
    });
    const runs = await visibleRuns(placed.workflowId);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('RUNNING');
    expect(await salesOrders()).toBe(before + 1);
  });

  test('with webhooks on, the webhook and a catch-up at the same time still make one flow and one ERP order', async () => {
    const before = await salesOrders();
    const placed = await shop.placeOrder({ lines: [{ sku: 'CUP', quantity: 1, unitPriceMinor: 1200 }], payment: 'captured' });
    const [result] = await Promise.all([catchUp(), reachesState(h, placed.workflowId, 'awaiting-shipment')]);
    expect(result.status).toBe('caught-up');
    // A second run after the flow is under way: the order is the ERP's now.
    const again = await catchUp();
    expect(again).toMatchObject({ status: 'caught-up' });
    if (again.status === 'caught-up') expect(again.handedOver).not.toContain(placed.order.id);

    expect(await visibleRuns(placed.workflowId)).toHaveLength(1);
    expect(await salesOrders()).toBe(before + 1);
    expect((await erpView(h, shopName, placed.order.id)).order).toMatchObject({ status: 'invoiced', total_minor: 1200 });
  });

  test('the schedules are created once per shop and brought up to date at each start', async () => {
    const settings: OrderCatchupScheduleSettings = {
      taskQueue: h.taskQueue, shops: [shopName], intervalSeconds: 300, policy: DEFAULT_ORDER_CATCHUP_POLICY, orderPolicy: ORDER_POLICY,
      idPrefix: `order-catchup-${h.taskQueue}`,
    };
    const handle = h.client.schedule.getHandle(catchupScheduleIdOf(settings, shopName));
    try {
      await ensureOrderCatchupSchedules(h.client, settings);
      await ensureOrderCatchupSchedules(h.client, { ...settings, intervalSeconds: 600 });
      const described = await handle.describe();
      expect(described.spec.intervals).toMatchObject([{ every: 600_000 }]);
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'orderCatchup', taskQueue: h.taskQueue });
      expect((described.action as { args: unknown[] }).args).toEqual([{ shop: shopName, policy: DEFAULT_ORDER_CATCHUP_POLICY, orderPolicy: ORDER_POLICY }]);
    } finally {
      await handle.delete().catch(() => undefined);
    }
  });
});
