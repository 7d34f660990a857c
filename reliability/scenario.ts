import type { Placed } from './load';
import type { ReliabilityStack, StackLog } from './stack';

/** One reliability scenario: the faults it injects while the mixed load runs, and how it heals the system after. */

/** `tiny`: the versions in `npm test`; `short`: a quick CLI check; `full`: the recorded runs. */
export type Scale = 'tiny' | 'short' | 'full';

export interface ScenarioContext {
  stack: ReliabilityStack;
  scale: Scale;
  log: StackLog;
  /** Counts of what was injected, by kind (e.g. `worker SIGKILL`, `HTTP 503`), for the report. */
  injected: Map<string, number>;
}

export interface Scenario {
  name: string;
  title: string;
  /** Settings the relay and the worker start with in this scenario. */
  env?: Record<string, string>;
  /** Before the load starts (e.g. the simulators' webhook chaos). */
  before?(ctx: ScenarioContext): Promise<void>;
  /** Called as the load progresses, `done` from 0 to 1, possibly from several load lanes at once. */
  during?(ctx: ScenarioContext, done: number): Promise<void>;
  /** After the load: the remaining faults, then the healing; convergence is measured from its end. */
  after?(ctx: ScenarioContext, placed: Placed): Promise<void>;
  /**
   * What the scenario's own faults must have led to and has not yet (empty: all of it), beside the shared
   * invariants: waited for with them, and reported as violations if convergence never comes.
   */
  unsettled?(ctx: ScenarioContext, placed: Placed): Promise<string[]>;
}

export function count(ctx: ScenarioContext, kind: string, n = 1): void {
  ctx.injected.set(kind, (ctx.injected.get(kind) ?? 0) + n);
}

/** The points of the load (0..1) at which `n` faults fire, spread at random over the middle of the run. */
export function randomMoments(n: number, from = 0.05, to = 0.95): number[] {
  return Array.from({ length: n }, () => from + Math.random() * (to - from)).sort((a, b) => a - b);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
