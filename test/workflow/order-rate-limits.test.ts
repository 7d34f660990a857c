import { FakeActivities } from './support/fake-activities';
import { rateLimited, transientFailure } from './support/failures';
import { FULFILLED, ship, startOrder } from './support/order-flow';
import { openIssueId, stateIs } from './support/progress';
import { WorkflowTestEnv } from './support/workflow-env';

/** Rate limits are waited out on durable timers, within a budget; they never use up an activity's retries. */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

/** fetchShopOrder meets Shopify's rate limit on its first `limited` calls, then answers from the fake shop. */
function rateLimitedFetch(fakes: FakeActivities, limited: number): void {
  const fetch = fakes.impl.fetchShopOrder;
  fakes.impl.fetchShopOrder = () => {
    if (fakes.callsOf('fetchShopOrder').length <= limited) throw rateLimited(2000);
    return fetch();
  };
}

test('30 rate limits in a row, then success: the step completes without an issue; a later 5xx is retried on the short backoff', async () => {
  const fakes = new FakeActivities();
  rateLimitedFetch(fakes, 30);
  const tag = fakes.impl.tagShopOrder;
  fakes.impl.tagShopOrder = () => {
    if (fakes.callsOf('tagShopOrder').length === 1) throw transientFailure('shopify 503');
    return tag();
  };
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t);
    await t.env.sleep('2 minutes'); // 30 waits of 2 s, then the 503's retry 1 s later; shipment is not overdue before 3 days
    await stateIs(handle, 'awaiting-shipment');
    await ship(handle);
    expect(await handle.result()).toEqual(FULFILLED);

    const fetches = fakes.callsOf('fetchShopOrder');
    expect(fetches).toHaveLength(31);
    // Each wait ended its attempt: every try was a fresh activity, and each came the vendor's 2 s after the last.
    expect(fetches.map((c) => c.attempt)).toEqual(Array(31).fill(1));
    const gaps = fetches.slice(1).map((c, i) => c.atMs - fetches[i]!.atMs);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2000);
    expect(fakes.world.issues).toEqual([]);

    // Temporal's own retry of the 503: attempt 2, about the proxy's initial interval (1 s) later, not a stretched wait.
    const [first, second] = fakes.callsOf('tagShopOrder');
    expect([first!.attempt, second!.attempt]).toEqual([1, 2]);
    expect(second!.atMs - first!.atMs).toBeGreaterThanOrEqual(1000);
    expect(second!.atMs - first!.atMs).toBeLessThan(3000);
  });
});

test('a rate limit lasting past rateLimitBudgetSeconds raises an issue', async () => {
  const fakes = new FakeActivities();
  rateLimitedFetch(fakes, Infinity);
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t, { rateLimitBudgetSeconds: 60 });
    await t.env.sleep('2 minutes');
    await openIssueId(handle);
    expect(fakes.world.issues).toEqual([expect.objectContaining({
      step: 'fetch-order', kind: 'step-failed', details: { activity: 'fetchShopOrder', failureType: 'shopify:rate-limited' },
    })]);
    const fetches = fakes.callsOf('fetchShopOrder');
    const limitedFor = fetches.at(-1)!.atMs - fetches[0]!.atMs;
    expect(limitedFor).toBeGreaterThanOrEqual(60_000);
    expect(limitedFor).toBeLessThan(60_000 + 2000);
    await handle.terminate();
  });
});
