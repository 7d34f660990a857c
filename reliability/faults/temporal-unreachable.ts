import { count, sleep, type Scenario } from '../scenario';

/**
 * Temporal unreachable for a minute (15 s in the short run) while webhooks keep arriving: the relay stores every
 * event (it never calls Temporal to answer), the dispatcher defers them as an outage, the worker waits; afterwards
 * everything is handed over and processed once.
 */
export function temporalUnreachableScenario(): Scenario {
  let fired = false;
  let outage: Promise<void> = Promise.resolve();
  return {
    name: 'temporal-unreachable',
    title: 'Temporal unreachable for a minute while webhooks keep arriving',
    async during(ctx, done) {
      if (fired || done < 0.2) return;
      fired = true;
      const downMs = ({ full: 60_000, short: 15_000, tiny: 10_000 })[ctx.scale];
      outage = (async () => {
        ctx.log(`Temporal unreachable for ${downMs / 1000} s`);
        await ctx.stack.stopTemporal();
        await sleep(downMs);
        await ctx.stack.startTemporal();
        count(ctx, `Temporal unreachable ${downMs / 1000} s`);
        ctx.log('Temporal reachable again');
      })();
    },
    async after() {
      await outage;
    },
  };
}
