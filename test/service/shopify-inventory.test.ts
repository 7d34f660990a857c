import { SHOPIFY_API_VERSION } from '../../connectors/shopify/api-version';
import { ShopifyClient, ShopifyUserError } from '../../connectors/shopify/client';
import type { ShopifyInventoryRow, ShopifyQuantityToSet } from '../../connectors/shopify/inventory';
import { JsonHttpClient } from '../../connectors/http';
import { startShopifySimulator, type ShopifySimulator } from '../../connectors/shopify/simulator/server';
import { failure } from '../support/webhook-receiver';

/** Shop stock through the real connector over HTTP: reading, compare-and-set pushes, idempotency keys, throttling. */

const TOKEN = 'shpat_test';
const TODAY = new Date('2026-11-30T12:00:00Z');

interface SimLevelJson { sku: string; inventoryItemId: string; locationId: string; available: number; committed: number; onHand: number }

describe('Shopify inventory through the connector', () => {
  let sim: ShopifySimulator;
  let shopify: ShopifyClient;
  let control: JsonHttpClient;
  let primary: string;

  const seed = (skus: Array<[string, number]>) =>
    control.post('/__sim/products', skus.map(([sku, inventoryQuantity]) => ({ sku, title: sku, price: '5.00', inventoryQuantity })));
  const simLevels = async () => (await control.get<{ levels: SimLevelJson[] }>('/__sim/inventory')).levels;
  const availableBySku = async () => Object.fromEntries((await simLevels()).filter((l) => l.locationId === primary).map((l) => [l.sku, l.available]));
  const readAll = async (locationId = primary, first = 50) => {
    const rows: ShopifyInventoryRow[] = [];
    let after: string | null = null;
    do {
      const page = await shopify.listInventory({ locationId, first, after });
      rows.push(...page.items);
      after = page.nextCursor;
    } while (after);
    return rows;
  };
  /** Sets every row to `quantity(row)`, comparing against what was read. */
  const toSet = (rows: ShopifyInventoryRow[], quantity: (row: ShopifyInventoryRow) => number): ShopifyQuantityToSet[] =>
    rows.map((r) => ({ inventoryItemId: r.inventoryItemId, locationId: r.locationId, quantity: quantity(r), compareQuantity: r.available }));
  const graphqlCalls = (spy: jest.SpyInstance) => spy.mock.calls.filter(([url]) => String(url).endsWith('/graphql.json')).length;

  beforeAll(async () => {
    sim = await startShopifySimulator({ port: 0, accessToken: TOKEN, webhookSecret: 'secret', apiVersion: SHOPIFY_API_VERSION, now: () => TODAY, logger: false });
    control = new JsonHttpClient({ vendor: 'shopify-sim', baseUrl: sim.url });
  });

  beforeEach(async () => {
    await control.post('/__sim/reset', {});
    shopify = new ShopifyClient({ baseUrl: sim.url, accessToken: TOKEN, apiVersion: SHOPIFY_API_VERSION });
    primary = (await shopify.locations()).find((l) => l.primary)!.id;
  });

  afterEach(() => jest.restoreAllMocks());
  afterAll(() => sim.close());

  it('lists the locations, exactly one of them primary', async () => {
    await control.post('/__sim/locations', { name: 'Warehouse' });
    const locations = await shopify.locations();
    expect(locations).toEqual([
      { id: primary, name: 'Shop location', isActive: true, primary: true },
      { id: expect.stringMatching(/^gid:\/\/shopify\/Location\/\d+$/), name: 'Warehouse', isActive: true, primary: false },
    ]);
    expect(primary).toMatch(/^gid:\/\/shopify\/Location\/\d+$/);
  });

  it('pages through every SKU, finds SKUs by search, and reads null where an item is not stocked', async () => {
    await seed([['A', 1], ['B', 2], ['C', 3], ['D', 4], ['E', 5]]);
    const first = await shopify.listInventory({ locationId: primary, first: 2 });
    expect(first.items).toEqual([
      { sku: 'A', variantId: expect.stringMatching(/^gid:\/\/shopify\/ProductVariant\/\d+$/), inventoryItemId: expect.stringMatching(/^gid:\/\/shopify\/InventoryItem\/\d+$/), locationId: primary, available: 1 },
      expect.objectContaining({ sku: 'B', available: 2 }),
    ]);
    expect(first.nextCursor).not.toBeNull();
    const rows = await readAll(primary, 2);
    expect(rows.map((r) => [r.sku, r.available])).toEqual([['A', 1], ['B', 2], ['C', 3], ['D', 4], ['E', 5]]);
    expect(new Set(rows.map((r) => r.inventoryItemId)).size).toBe(5);

    const found = await shopify.listInventory({ locationId: primary, query: 'sku:E OR sku:B' });
    expect(found).toEqual({ items: [expect.objectContaining({ sku: 'B', available: 2 }), expect.objectContaining({ sku: 'E', available: 5 })], nextCursor: null });

    const warehouse = (await control.post<{ id: string }>('/__sim/locations', { name: 'Warehouse' })).id;
    expect((await readAll(warehouse)).map((r) => [r.sku, r.available, r.locationId])).toEqual(['A', 'B', 'C', 'D', 'E'].map((s) => [s, null, warehouse]));
  });

  it('sets 250 quantities in one call, comparing each against what was read', async () => {
    await seed(Array.from({ length: 250 }, (_, i): [string, number] => [`SKU-${String(i).padStart(3, '0')}`, i]));
    const rows = await readAll();
    expect(rows).toHaveLength(250);
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const result = await shopify.setInventory(toSet(rows, (r) => r.available! + 1000), 'sync-250');
    expect(result).toEqual({ applied: true, adjustmentGroupId: expect.stringMatching(/^gid:\/\/shopify\/InventoryAdjustmentGroup\/\d+$/) });
    expect(graphqlCalls(fetchSpy)).toBe(1);
    const after = await availableBySku();
    expect(Object.values(after).sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1000));
  });

  it('refuses 251 quantities before sending anything', async () => {
    await seed([['A', 1]]);
    const [row] = await readAll();
    const items = Array.from({ length: 251 }, () => toSet([row!], () => 5)[0]!);
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const err = await failure(() => shopify.setInventory(items, 'too-many'));
    expect([err.status, err.statusClass]).toEqual([422, 'permanent']);
    expect(err.message).toContain('251 quantities, at most 250 per call');
    expect(graphqlCalls(fetchSpy)).toBe(0);
    expect(await availableBySku()).toEqual({ A: 1 });
  });

  it('applies nothing when one compare is stale, names the stale items, and applies after a read-back with a new key', async () => {
    await seed([['A', 10], ['B', 20], ['C', 30]]);
    const rows = await readAll();
    await control.post('/__sim/inventory', { sku: 'B', quantity: 17 }); // a sale at the till since we read

    const result = await shopify.setInventory(toSet(rows, () => 50), 'push-1');
    expect(result).toEqual({ applied: false, stale: [{ inventoryItemId: rows[1]!.inventoryItemId, locationId: primary, quantity: 50, compareQuantity: 20 }] });
    expect(await availableBySku()).toEqual({ A: 10, B: 17, C: 30 });

    const reread = await shopify.listInventory({ locationId: primary, query: 'sku:B' });
    expect(reread.items[0]!.available).toBe(17);
    const merged = rows.map((r) => (r.sku === 'B' ? reread.items[0]! : r));
    expect(await shopify.setInventory(toSet(merged, () => 50), 'push-2')).toMatchObject({ applied: true });
    expect(await availableBySku()).toEqual({ A: 50, B: 50, C: 50 });
  });

  it('answers a replay with the same key and items with the first result, without applying again', async () => {
    await seed([['A', 10]]);
    const items = toSet(await readAll(), () => 4);
    const first = await shopify.setInventory(items, 'replayed-key');
    expect(first).toMatchObject({ applied: true });
    expect(await availableBySku()).toEqual({ A: 4 });

    await control.post('/__sim/inventory', { sku: 'A', quantity: 9 });
    // Run again, the compare (10) would be stale now and the 4 would overwrite the 9: neither happens.
    expect(await shopify.setInventory(items, 'replayed-key')).toEqual(first);
    expect(await availableBySku()).toEqual({ A: 9 });
  });

  it('refuses the same key with other items as a permanent user error, changing nothing', async () => {
    await seed([['A', 10]]);
    const rows = await readAll();
    await shopify.setInventory(toSet(rows, () => 4), 'reused-key');
    const err = await failure(() => shopify.setInventory(toSet(rows, () => 5), 'reused-key'), ShopifyUserError);
    expect([err.status, err.statusClass]).toEqual([422, 'permanent']);
    expect(err.userErrors).toEqual([{ field: null, message: expect.stringContaining('same idempotency key'), code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' }]);
    expect(await availableBySku()).toEqual({ A: 4 });
  });

  it('refuses a push without an idempotency key or without changeFromQuantity', async () => {
    await seed([['A', 10]]);
    const [row] = await readAll();
    const quantity = { inventoryItemId: row!.inventoryItemId, locationId: primary, quantity: 3 };
    const input = { name: 'available', reason: 'correction', quantities: [{ ...quantity, changeFromQuantity: null }] };
    const selection = '{ inventoryAdjustmentGroup { id } userErrors { field message code } }';

    const noKey = await failure(() => shopify.request({ name: 'NoKey', query: `mutation NoKey($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) ${selection} }` }, { input }));
    expect([noKey.status, noKey.statusClass]).toEqual([422, 'permanent']);
    expect(noKey.message).toContain('@idempotent');
    expect((await failure(() => shopify.setInventory([{ ...quantity, compareQuantity: null }], ' '))).message).toContain('an idempotency key is required');

    const withKey = `mutation Keyed($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) @idempotent(key: "k-1") ${selection} }`;
    const omitted = await shopify.request<{ inventorySetQuantities: { userErrors: Array<{ code: string; field: string[] }> } }>(
      { name: 'Keyed', query: withKey }, { input: { ...input, quantities: [quantity] } },
    );
    expect(omitted.inventorySetQuantities.userErrors).toEqual([expect.objectContaining({ code: 'COMPARE_QUANTITY_REQUIRED', field: ['input', 'quantities', '0', 'changeFromQuantity'] })]);
    expect(await availableBySku()).toEqual({ A: 10 });
  });

  it('throttles a burst of pushes with the exact wait, then paces the next pushes so that none is throttled', async () => {
    await seed([['A', 0]]);
    const [row] = await readAll();
    await control.post('/__sim/throttle', { maximumAvailable: 40, restoreRate: 50, currentlyAvailable: 40 });
    const push = (n: number) => shopify.setInventory([{ inventoryItemId: row!.inventoryItemId, locationId: primary, quantity: n, compareQuantity: null }], `burst-${n}`);

    // Each push costs 12 points (10 for the mutation, 1 per object selected): three fit in 40, the others are refused.
    const settled = await Promise.allSettled([1, 2, 3, 4, 5].map(push));
    const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error & { statusClass: string; retryAfterMs: number; body: unknown }] : []));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(2);
    for (const err of refused) {
      expect(err.statusClass).toBe('rate-limited');
      const cost = (err.body as { extensions: { cost: { requestedQueryCost: number; throttleStatus: { currentlyAvailable: number } } } }).extensions.cost;
      expect(cost.requestedQueryCost).toBe(12);
      expect(err.retryAfterMs).toBe(Math.ceil(((12 - cost.throttleStatus.currentlyAvailable) / 50) * 1000));
      expect(err.retryAfterMs).toBeGreaterThan(0);
    }
    const refusals = sim.bucket.refusals;

    // The client now knows the cost and the bucket: five more pushes (60 points) wait for room instead of failing.
    const started = Date.now();
    const availableAtStart = sim.bucket.available();
    for (const n of [6, 7, 8, 9, 10]) expect(await push(n)).toMatchObject({ applied: true });
    expect(sim.bucket.refusals).toBe(refusals);
    // The bucket had to refill what was missing: running close to the limit, not below it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(((60 - availableAtStart) / 50) * 1000 - 2);
    expect(await availableBySku()).toEqual({ A: 10 });
  });

  it('lowers available when an order decrements stock, obeying or ignoring the policy', async () => {
    const { variants } = await seed([['MUG', 10]]) as { variants: Array<{ id: string }> };
    const line = (quantity: number) => ({ lineItems: [{ variantId: variants[0]!.id, quantity }] });

    await shopify.createOrder(line(3), { inventoryBehaviour: 'DECREMENT_OBEYING_POLICY' });
    expect((await readAll())[0]!.available).toBe(7);
    await shopify.createOrder(line(2));
    expect((await readAll())[0]!.available).toBe(7); // BYPASS, the default, leaves stock alone

    const short = await failure(() => shopify.createOrder(line(8), { inventoryBehaviour: 'DECREMENT_OBEYING_POLICY' }), ShopifyUserError);
    expect(short.message).toContain('Only 7 of MUG left in stock');
    await shopify.createOrder(line(8), { inventoryBehaviour: 'DECREMENT_IGNORING_POLICY' });
    expect((await readAll())[0]!.available).toBe(-1);
    expect((await simLevels())[0]).toMatchObject({ available: -1, committed: 11, onHand: 10 });
  });

  it('shows drift made in the shop to listInventory', async () => {
    await seed([['A', 10], ['B', 5]]);
    expect((await readAll()).map((r) => r.available)).toEqual([10, 5]);
    const warehouse = (await control.post<{ id: string }>('/__sim/locations', { name: 'Warehouse' })).id;
    await control.post('/__sim/inventory', { sku: 'A', quantity: 2 });
    await control.post('/__sim/inventory', { sku: 'B', locationId: warehouse, quantity: 8 });
    expect((await readAll()).map((r) => r.available)).toEqual([2, 5]);
    expect((await readAll(warehouse)).map((r) => r.available)).toEqual([null, 8]);
  });
});
