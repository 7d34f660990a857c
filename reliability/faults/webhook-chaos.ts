import { count, sleep, type Scenario, type ScenarioContext } from '../scenario';

/**
 * Webhook chaos from every vendor: each webhook sent three times, batches reordered with random delays of up to
 * three seconds, and after the flows have settled the whole recent log delivered again, much later than its events
 * (the vendors' "resend" from their dashboards: same ids, same bodies). Every effect must still happen once.
 */
type Delivery = { seq: number; ok: boolean; ids: string[] };
const deliveries = async (url: string) => ((await (await fetch(`${url}/__sim/deliveries`)).json()) as { deliveries: Delivery[] }).deliveries;

export function webhookChaosScenario(): Scenario {
  const urls = (ctx: ScenarioContext) => [ctx.stack.hubspot.url, ctx.stack.shopify.url, ctx.stack.woocommerce.url, ctx.stack.stripe.url];
  const post = (url: string, path: string, body: unknown) =>
    fetch(`${url}/__sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    name: 'webhook-chaos',
    title: 'webhook chaos: duplicates, reordering, redelivery much later',
    async before(ctx) {
      for (const url of urls(ctx)) await post(url, 'webhooks/config', { duplicates: 3, shuffle: true, delayMs: 3_000 });
      count(ctx, 'every webhook ×3, shuffled, delayed up to 3 s');
    },
    async after(ctx) {
      await sleep(ctx.scale === 'full' ? 30_000 : 10_000);
      for (const url of urls(ctx)) {
        await post(url, 'webhooks/config', { duplicates: 1, shuffle: true, delayMs: 0 });
        const before = Math.max(0, ...(await deliveries(url)).map((d) => d.seq));
        const res = await post(url, 'webhooks/redeliver', { count: 100 });
        const answer = await res.json() as { ids?: string[]; webhookIds?: string[] };
        const resent = (answer.ids ?? answer.webhookIds ?? []).length;
        count(ctx, 'webhooks redelivered much later', resent);
        // Convergence is measured once the relay has taken every resent webhook (as duplicates, or it is a finding).
        const deadline = Date.now() + 120_000;
        const taken = async () => new Set((await deliveries(url)).filter((d) => d.seq > before && d.ok).flatMap((d) => d.ids)).size;
        while ((await taken()) < resent && Date.now() < deadline) await sleep(500);
      }
    },
  };
}
