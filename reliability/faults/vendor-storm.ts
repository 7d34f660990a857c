import { count, sleep, type Scenario, type ScenarioContext } from '../scenario';

/**
 * Vendor fault storms on every simulator's API: about 20% of calls answered 5xx (500, 502, 503 in turn), bursts of
 * 429 with Retry-After, answers slower than the connectors' 10 s deadline (timeouts) and slow answers. The storm
 * follows the traffic: each tick adds 5xx rules for a fifth of the calls the simulator saw since the last tick.
 */
const STATUSES = [500, 502, 503];

async function requestsSeen(url: string): Promise<number> {
  const { requests } = await (await fetch(`${url}/__sim/requests`)).json() as { requests: Record<string, number> };
  return Object.values(requests).reduce((a, b) => a + b, 0);
}

async function addRule(url: string, rule: Record<string, unknown>): Promise<void> {
  await fetch(`${url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
}

export function vendorStormScenario(): Scenario {
  let storming = false;
  let storm: Promise<void> = Promise.resolve();
  const urls = (ctx: ScenarioContext) => [ctx.stack.hubspot.url, ctx.stack.shopify.url, ctx.stack.woocommerce.url, ctx.stack.stripe.url];
  const run = async (ctx: ScenarioContext) => {
    const seen = new Map<string, number>();
    for (const url of urls(ctx)) seen.set(url, await requestsSeen(url));
    let tick = 0;
    let carry = new Map<string, number>();
    while (storming) {
      tick++;
      for (const url of urls(ctx)) {
        const now = await requestsSeen(url).catch(() => seen.get(url)!);
        const share = (now - seen.get(url)!) * 0.2 + (carry.get(url) ?? 0);
        seen.set(url, now);
        const whole = Math.floor(share);
        carry.set(url, share - whole);
        if (whole > 0) {
          const status = STATUSES[tick % STATUSES.length]!;
          await addRule(url, { kind: 'status', status, remaining: whole });
          count(ctx, `HTTP ${status}`, whole);
        }
        if (tick % 20 === 0) {
          await addRule(url, { kind: 'rate-limit', retryAfterSeconds: 1, remaining: 5 });
          count(ctx, '429 burst (5 calls, Retry-After 1 s)');
        }
        if (tick % 30 === 7) {
          await addRule(url, { kind: 'delay', delayMs: 11_000, remaining: 1 });
          count(ctx, 'timeout (answer after 11 s)');
        }
        if (tick % 10 === 3) {
          await addRule(url, { kind: 'delay', delayMs: 1_500, remaining: 3 });
          count(ctx, 'slow answer (1.5 s)', 3);
        }
      }
      await sleep(250);
    }
    carry = new Map();
  };
  return {
    name: 'vendor-storm',
    title: 'vendor fault storms: ~20% 5xx, 429 bursts, timeouts, slow answers',
    async before(ctx) {
      storming = true;
      storm = run(ctx);
    },
    async after(ctx) {
      // The storm goes on a while after the load, over the flows still working, then the vendors recover.
      await sleep(ctx.scale === 'full' ? 30_000 : 5_000);
      storming = false;
      await storm;
      for (const url of urls(ctx)) await fetch(`${url}/__sim/faults`, { method: 'DELETE' });
    },
  };
}
