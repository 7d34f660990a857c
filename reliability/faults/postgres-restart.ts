import { count, sleep, type Scenario } from '../scenario';

/**
 * PostgreSQL stopped and started again mid-run on the same data folder: the relay answers 503 (vendors retry),
 * activities fail and retry, the dispatcher's and the workers' pools reconnect. Down 5 s (short) or 20 s (full).
 */
export function postgresRestartScenario(): Scenario {
  let fired = false;
  let restart: Promise<void> = Promise.resolve();
  return {
    name: 'postgres-restart',
    title: 'PostgreSQL restarted mid-run',
    async during(ctx, done) {
      if (fired || done < 0.5) return;
      fired = true;
      const downMs = ctx.scale === 'full' ? 20_000 : 5_000;
      restart = (async () => {
        ctx.log(`stopping PostgreSQL for ${downMs / 1000} s`);
        await ctx.stack.restartPostgres(downMs);
        count(ctx, `PostgreSQL restart (down ${downMs / 1000} s)`);
        ctx.log('PostgreSQL is back');
      })();
      await sleep(0);
    },
    async after() {
      await restart;
    },
  };
}
