import { count, sleep, type Scenario } from '../scenario';

/**
 * The Temporal dev server stopped and started again mid-run on its SQLite file: histories, timers and task queues
 * survive; the relay keeps accepting webhooks into the inbox and hands them over once Temporal answers again.
 */
export function temporalRestartScenario(): Scenario {
  let fired = false;
  let restart: Promise<void> = Promise.resolve();
  return {
    name: 'temporal-restart',
    title: 'Temporal dev server restarted mid-run (state persisted)',
    async during(ctx, done) {
      if (fired || done < 0.5) return;
      fired = true;
      restart = (async () => {
        ctx.log('stopping the Temporal dev server');
        await ctx.stack.stopTemporal();
        await sleep(3_000);
        await ctx.stack.startTemporal();
        count(ctx, 'Temporal dev server restart');
        ctx.log('Temporal is back');
      })();
    },
    async after() {
      await restart;
    },
  };
}
