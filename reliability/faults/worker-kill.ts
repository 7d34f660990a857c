import { count, randomMoments, sleep, type Scenario, type ScenarioContext } from '../scenario';

/**
 * The worker killed with SIGKILL at random moments and restarted: activities die mid-call, workflow tasks time out
 * and move to the new worker, and every step must still happen exactly once in effect. 20 kills in the full run
 * (3 in the short one, 1 in `npm test`); those the load outlasts happen after it, each one once the previous worker is polling again.
 */
export function workerKillScenario(): Scenario {
  let moments: number[] = [];
  let chain: Promise<void> = Promise.resolve();
  let kills = 0;
  const total = (ctx: ScenarioContext) => ({ full: 20, short: 3, tiny: 1 })[ctx.scale];
  const killAndRestart = (ctx: ScenarioContext) => {
    chain = chain.then(async () => {
      await ctx.stack.processes.worker.kill();
      kills++;
      count(ctx, 'worker SIGKILL');
      ctx.log(`worker killed (${kills}/${total(ctx)})`);
      await sleep(500 + Math.random() * 2000);
      await ctx.stack.processes.worker.start();
    });
  };
  return {
    name: 'worker-kill',
    title: 'worker SIGKILLed at random moments and restarted',
    async before(ctx) {
      moments = randomMoments(total(ctx));
    },
    async during(ctx, done) {
      while (moments.length > 0 && moments[0]! <= done) {
        moments.shift();
        killAndRestart(ctx);
      }
    },
    async after(ctx) {
      await chain;
      while (kills < total(ctx)) {
        // Somewhere inside the work the previous kill left: flows resume, activities retry.
        await sleep(1000 + Math.random() * 4000);
        killAndRestart(ctx);
        await chain;
      }
    },
  };
}
