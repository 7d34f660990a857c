import { randomInt } from 'node:crypto';

/** Ticks count milliseconds from here, which keeps `tick · ID_LANES + lane` a safe integer until about 2094. */
const EPOCH_MS = Date.UTC(2025, 0, 1);
export const ID_LANES = 4096;

/**
 * A simulator's numeric ids. They grow with the clock, so a restarted simulator never reuses an id the engine has
 * already stored. Each simulator also draws a lane of its own. Two started in the same millisecond (test files run
 * in parallel against one Temporal server, where these ids become workflow ids) then hand out different ids:
 * id = tick · ID_LANES + lane.
 */
export class SimIdSequence {
  private tick: number;

  constructor(private readonly lane = randomInt(0, ID_LANES), startMs = Date.now()) {
    this.tick = Math.max(1, startMs - EPOCH_MS);
  }

  next(): number {
    return this.tick++ * ID_LANES + this.lane;
  }
}
